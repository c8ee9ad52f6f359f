package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kustomize path on a real node: {@code kubectl apply -k deploy/kubernetes/overlays/self-managed}, with the image
 * set by kustomize {@code images:} (what docs/install.md tells users to do) and nothing else changed; removed as
 * docs/install.md says (the webhook configuration first, then {@code kubectl delete -k}).
 */
@Tag("real-node")
class KustomizeInstallNodeIT {

    private static final String SHARDS = "kustomize-redis";

    private static RealNode node;
    private static KubernetesClient admin;

    @BeforeAll
    static void applyTheSelfManagedOverlay() {
        node = RealNode.shared();
        admin = node.cluster().admin();
        NodeExamples.apply(node, "kubernetes/overlays/self-managed", Map.of("first-ordinal", node.webhookImage()));
    }

    @AfterAll
    static void deleteAsDocumented() {
        if (node != null) {
            ClusterWorkloads.deleteNamespace(admin, SHARDS);
            node.cluster().kubectl(null, "delete", "mutatingwebhookconfiguration", "first-ordinal", "--ignore-not-found").orThrow();
            node.cluster().kubectl(null, "delete", "-k", NodeExamples.wrapper(node, "kubernetes/overlays/self-managed").toString(),
                    "--ignore-not-found", "--wait=true", "--timeout=120s").orThrow();
        }
    }

    @Test
    void theOverlaysWebhookServesThroughItsServiceAndMarksOrdinalZero() {
        List<Pod> webhooks = NodeInstall.awaitWebhookPods(admin, 2);
        String caBundle = Waits.until(Duration.ofSeconds(60), "the caBundle the webhook writes", () -> {
            var configuration = admin.admissionRegistration().v1().mutatingWebhookConfigurations().withName("first-ordinal").get();
            String bundle = configuration.getWebhooks().get(0).getClientConfig().getCaBundle();
            return bundle == null || bundle.isEmpty() ? null : bundle;
        });
        ClusterWorkloads.namespace(admin, SHARDS, ClusterWorkloads.OPTED_IN);

        List<Pod> pods = NodeInstall.runningShard(node, SHARDS, "shard", 2);

        assertThat(webhooks).allSatisfy(pod -> assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(node.webhookImage()));
        assertThat(caBundle).isNotBlank();
        assertThat(StoredPods.marks(pods.get(0))).containsEntry("label " + StoredPods.LABEL, StoredPods.LABEL_VALUE)
                .containsAllEntriesOf(StoredPods.hookFor("redis"));
        assertThat(StoredPods.marks(pods.get(1))).isEmpty();
    }
}
