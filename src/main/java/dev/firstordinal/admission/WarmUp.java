package dev.firstordinal.admission;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Answers one built-in AdmissionReview at start, before the webhook reports ready, so that the
 * first real review does not pay for loading the reader, the rule, the hook script and the patch
 * classes. The API server waits at most the webhook's {@code timeoutSeconds} (10 s by default) and,
 * failing open, creates the pod unmarked when the answer is late: a slow first answer right after a
 * rollout would leave a first-ordinal pod without its backup label. The warm-up asks no cluster:
 * its start ordinal is fixed at 0.
 */
@ApplicationScoped
class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);

    static final byte[] SAMPLE = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"first-ordinal-warm-up",
            "kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"warm-up",
            "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"warm-up-0","namespace":"warm-up",
            "labels":{"apps.kubernetes.io/pod-index":"0"},"annotations":{"a":"b"},
            "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"warm-up","uid":"u","controller":true}]},
            "spec":{"containers":[{"name":"redis","image":"redis:7","env":[{"name":"A","value":"1"}]}]}}}}
            """.getBytes(StandardCharsets.UTF_8);

    void warmUp(@Observes StartupEvent event, AdmissionReviewHandler handler) {
        long start = System.nanoTime();
        try {
            AdmissionReviewHandler.Answer answer = handler.handle(SAMPLE, dev.firstordinal.ordinal.StartOrdinalLookup.ZERO);
            LOG.debugf("warm-up review answered in %d ms (patched: %s)", Long.valueOf((System.nanoTime() - start) / 1_000_000), Boolean.valueOf(answer.patched()));
        } catch (BadAdmissionReview | RuntimeException e) {
            // Only the first request's speed is at stake: never fail the start for it.
            LOG.warnf("warm-up review failed (the first real review will be slower): %s", e.getMessage());
        }
    }
}
