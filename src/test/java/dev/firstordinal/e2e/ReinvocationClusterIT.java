package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second mutating webhook, ordered after first-ordinal's (the API server calls them by
 * configuration name), changes the pod; with {@code reinvocationPolicy: IfNeeded} the API server then
 * calls first-ordinal again on a pod that already carries its marks. The stored pod must be right
 * and the second call must answer without a patch.
 */
@Tag("real-cluster")
class ReinvocationClusterIT {

    private static final String NAMESPACE = "e2e-reinvocation";
    private static final Pattern COUNTER = Pattern.compile(
            "first_ordinal_admission_requests_total\\{[^}]*reason=\"(marked|left-alone)\"[^}]*} ([0-9.E]+)");

    private static ClusterWebhook webhook;
    private static SecondWebhook second;
    private static KubernetesClient client;

    @BeforeAll
    static void installSecondWebhook() throws Exception {
        webhook = ClusterWebhook.shared();
        client = webhook.cluster().admin();
        second = new SecondWebhook(webhook.certificates());
        String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(webhook.certificates().resolve("ca.crt")));
        webhook.cluster().kubectl("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: zz-e2e-second
                webhooks:
                  - name: second.e2e.first-ordinal.dev
                    admissionReviewVersions: ["v1"]
                    clientConfig:
                      url: https://127.0.0.1:%d/mutate
                      caBundle: %s
                    rules:
                      - operations: ["CREATE"]
                        apiGroups: [""]
                        apiVersions: ["v1"]
                        resources: ["pods"]
                    namespaceSelector:
                      matchLabels:
                        kubernetes.io/metadata.name: %s
                    failurePolicy: Fail
                    sideEffects: None
                    timeoutSeconds: 5
                    reinvocationPolicy: IfNeeded
                """.formatted(second.port(), ca, NAMESPACE), "apply", "-f", "-").orThrow();
        ClusterWorkloads.namespace(client, NAMESPACE, ClusterWorkloads.OPTED_IN);
    }

    @AfterAll
    static void removeSecondWebhook() {
        if (webhook != null) {
            webhook.cluster().kubectl(null, "delete", "mutatingwebhookconfiguration", "zz-e2e-second", "--ignore-not-found");
        }
        if (second != null) {
            second.close();
        }
    }

    private static Map<String, Double> answers() throws Exception {
        Map<String, Double> counts = new LinkedHashMap<>(Map.of("marked", 0.0, "left-alone", 0.0));
        Matcher m = COUNTER.matcher(webhook.metrics());
        while (m.find()) {
            counts.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return counts;
    }

    @Test
    void afterAnotherWebhookChangesThePodFirstOrdinalIsCalledAgainAndAddsNothing() throws Exception {
        Map<String, Double> before = answers();
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NAMESPACE, "reinvoked", 1).build());
        Pod pod = ClusterWorkloads.awaitPods(client, NAMESPACE, "reinvoked", 1).get(0);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        assertThat(marks(pod)).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(SecondWebhook.ANNOTATION, "yes");

        // The second webhook saw first-ordinal's output: the API server ran first-ordinal first.
        JsonNode seen = second.seen.stream().filter(p -> "reinvoked-0".equals(p.path("metadata").path("name").asText()))
                .findFirst().orElseThrow();
        assertThat(seen.path("metadata").path("labels").path(LABEL).asText()).isEqualTo(LABEL_VALUE);

        Map<String, Double> after = Waits.until(java.time.Duration.ofSeconds(10), "two answers for one pod", () -> {
            try {
                Map<String, Double> now = answers();
                return now.get("marked") - before.get("marked") + now.get("left-alone") - before.get("left-alone") >= 2 ? now : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(after.get("marked") - before.get("marked")).as("first call patched").isEqualTo(1.0);
        assertThat(after.get("left-alone") - before.get("left-alone")).as("reinvocation answered without a patch").isEqualTo(1.0);
    }
}
