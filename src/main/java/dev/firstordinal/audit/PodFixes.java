package dev.firstordinal.audit;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.Optional;

/** Sends a {@link PodFix} to the API server: the one place backfill patches a live pod ({@code audit --fix}, policy-sync). */
public final class PodFixes {

    private PodFixes() {
    }

    /** Applies the fix; empty on success, else one line saying why it failed. RBAC: patch on pods. */
    public static Optional<String> apply(KubernetesClient client, PodFix fix) {
        try {
            // Through resource(): withName(...).patch(...) would GET the pod first, which the documented
            // RBAC (patch on pods) does not allow; the patch's own test op guards the read instead.
            client.pods().inNamespace(fix.namespace()).resource(new PodBuilder()
                            .withNewMetadata().withNamespace(fix.namespace()).withName(fix.pod()).endMetadata().build())
                    .patch(PatchContext.of(PatchType.JSON), fix.patch().toString());
            return Optional.empty();
        } catch (KubernetesClientException e) {
            String hint = e.getCode() == 422 || e.getCode() == 409 ? " (the pod changed since it was read; run the audit again)" : "";
            return Optional.of(fix.namespace() + "/" + fix.pod() + ": " + AuditCommand.describe(e) + hint);
        }
    }
}
