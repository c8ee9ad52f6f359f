package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook is down: the shipped {@code failurePolicy: Ignore} lets the API server create the pods
 * unmarked, at once. {@code audit} then reports them, {@code audit --fix} backfills them through the
 * real API (JSON patches with a {@code test} of the resourceVersion), and cleans a labelled replica.
 * The audit runs as a ServiceAccount holding exactly the RBAC docs/coverage.md documents for it.
 */
@Tag("real-cluster")
class FailOpenBackfillClusterIT {

    private static final String NAMESPACE = "e2e-failopen";
    private static ClusterWebhook webhook;
    private static KubernetesClient client;
    private static Path auditor;

    @BeforeAll
    static void stopTheWebhook() throws Exception {
        webhook = ClusterWebhook.shared();
        client = webhook.cluster().admin();
        ClusterWorkloads.namespace(client, NAMESPACE, ClusterWorkloads.OPTED_IN);
        webhook.cluster().kubectl("""
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: auditor, namespace: %1$s}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: first-ordinal-audit, namespace: %1$s}
                rules:
                  - apiGroups: ["apps"]
                    resources: ["statefulsets"]
                    verbs: ["list"]
                  - apiGroups: [""]
                    resources: ["pods", "persistentvolumeclaims"]
                    verbs: ["list"]
                  - apiGroups: [""]
                    resources: ["pods"]
                    verbs: ["patch"]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: first-ordinal-audit, namespace: %1$s}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: first-ordinal-audit}
                subjects: [{kind: ServiceAccount, name: auditor, namespace: %1$s}]
                """.formatted(NAMESPACE), "apply", "-f", "-").orThrow();
        auditor = webhook.cluster().serviceAccountKubeconfig(NAMESPACE, "auditor");
        webhook.stop();
    }

    @AfterAll
    static void startTheWebhookAgain() throws Exception {
        if (webhook != null) {
            webhook.start();
        }
    }

    private static Command audit(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("audit", "-n", NAMESPACE));
        all.addAll(List.of(args));
        return JarCommand.run(auditor, Map.of(), all.toArray(new String[0]));
    }

    @Test
    void podsCreatedWhileTheWebhookIsDownAreUnmarkedThenAuditedAndBackfilled() {
        long started = System.nanoTime();
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NAMESPACE, "late", 3).build());
        List<Pod> pods = ClusterWorkloads.awaitPods(client, NAMESPACE, "late", 3);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(millis).as("pods created within the webhook's 5 s timeout (fail open)").isLessThan(5_000);
        assertThat(pods).allSatisfy(p -> assertThat(marks(p)).as(p.getMetadata().getName()).isEmpty());

        // A replica labelled by hand: over-coverage.
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NAMESPACE, "over", 2).build());
        ClusterWorkloads.awaitPods(client, NAMESPACE, "over", 2);
        client.pods().inNamespace(NAMESPACE).withName("over-1").edit(p -> {
            p.getMetadata().getLabels().put(LABEL, LABEL_VALUE);
            return p;
        });

        Command report = audit();
        assertThat(report.exitCode()).as("audit of uncovered shards:\n%s\n%s", report.stdout(), report.stderr()).isEqualTo(1);
        assertThat(report.stdout()).containsPattern("late\\s+late-0.*uncovered").containsPattern("over\\s+over-0.*over-1");

        Command fix = audit("--fix");
        assertThat(fix.exitCode()).as("audit --fix:\n%s\n%s", fix.stdout(), fix.stderr()).isZero();
        assertThat(fix.stdout()).contains("patched " + NAMESPACE + "/late-0", "patched " + NAMESPACE + "/over-1");

        Command clean = audit();
        assertThat(clean.exitCode()).as("audit after --fix:\n%s", clean.stdout()).isZero();

        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        for (String name : List.of("late-0", "over-0")) {
            assertThat(marks(client.pods().inNamespace(NAMESPACE).withName(name).get())).as(name).containsExactlyInAnyOrderEntriesOf(expected);
        }
        for (String name : List.of("late-1", "late-2", "over-1")) {
            assertThat(marks(client.pods().inNamespace(NAMESPACE).withName(name).get())).as(name).isEmpty();
        }
    }
}
