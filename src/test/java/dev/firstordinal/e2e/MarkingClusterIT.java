package dev.firstordinal.e2e;

import org.junit.jupiter.api.Tag;

/** {@link MarkingScenarios} with the shipped webhook configuration: the API server calls the webhook and applies its patch. */
@Tag("real-cluster")
class MarkingClusterIT extends MarkingScenarios {

    @Override
    ControlPlane install() throws Exception {
        return ClusterWebhook.shared().cluster();
    }
}
