package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Policy mode's moving parts on the real API server: the policy's CEL as the API server compiles
 * it, the start-ordinal ConfigMap {@code policy-sync} keeps, and what happens while policy-sync is
 * down and after it is back.
 */
@Tag("real-cluster")
class PolicySyncClusterIT {

    private static PolicyMode policy;
    private static KubernetesClient client;

    @BeforeAll
    static void install() throws Exception {
        policy = PolicyMode.shared();
        client = policy.admin();
        policy.startSync();
    }

    @Test
    void theShippedPolicyCompilesOnTheApiServerAndABrokenExpressionIsRefused() throws Exception {
        String shipped = Files.readString(Path.of(PolicyMode.OVERLAY, "mutatingadmissionpolicy.yaml"));
        Command again = policy.cluster().kubectl(shipped, "apply", "--dry-run=server", "-f", "-");
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stderr()).as("no warning from the API server's type check").doesNotContainIgnoringCase("warning");

        String syntaxError = shipped.replace("!variables.isFirst ? [] :", "!variables.isFirst ? [] ::");
        assertThat(syntaxError).isNotEqualTo(shipped);
        Command refused = policy.cluster().kubectl(syntaxError, "apply", "--dry-run=server", "-f", "-");
        assertThat(refused.exitCode()).as("a CEL syntax error must be refused").isNotZero();
        assertThat(refused.stderr()).contains("mutations[0].jsonPatch.expression");

        String unknownVariable = shipped.replace("!variables.isFirst ? [] :", "!variables.isFrist ? [] :");
        Command undeclared = policy.cluster().kubectl(unknownVariable, "apply", "--dry-run=server", "-f", "-");
        assertThat(undeclared.exitCode()).as("a misspelt variable must be refused: " + undeclared.stderr()).isNotZero();
    }

    @Test
    void theConfigMapListsExactlyTheOptedInSetsThatStartElsewhereThanZero() {
        ClusterWorkloads.namespace(client, "e2e-params", ClusterWorkloads.OPTED_IN);
        ClusterWorkloads.namespace(client, "e2e-params-out", Map.of());
        ClusterWorkloads.create(client, ClusterWorkloads.shard("e2e-params", "at-zero", 1).build());
        ClusterWorkloads.create(client, started("e2e-params", "at-four", 4, 1));
        ClusterWorkloads.create(client, started("e2e-params-out", "elsewhere", 2, 1));
        Waits.until(Duration.ofSeconds(30), "e2e-params_at-four in the ConfigMap",
                () -> "4".equals(policy.params().get("e2e-params_at-four")));
        assertThat(policy.params()).containsEntry("e2e-params_at-four", "4")
                .doesNotContainKey("e2e-params_at-zero").doesNotContainKey("e2e-params-out_elsewhere");

        client.apps().statefulSets().inNamespace("e2e-params").withName("at-four").delete();
        Waits.until(Duration.ofSeconds(30), "a deleted set leaves the ConfigMap", () -> !policy.params().containsKey("e2e-params_at-four"));

        // A namespace that opts in later: its sets are listed then, and their first ordinals marked.
        client.namespaces().withName("e2e-params-out").edit(ns -> {
            ns.getMetadata().getLabels().putAll(ClusterWorkloads.OPTED_IN);
            return ns;
        });
        Waits.until(Duration.ofSeconds(30), "e2e-params-out_elsewhere in the ConfigMap",
                () -> "2".equals(policy.params().get("e2e-params-out_elsewhere")));
        awaitMarked("e2e-params-out", "elsewhere-2");
    }

    @Test
    void withTheSyncDownSetsAtZeroAreStillMarkedTheRestAuditedAndBackfilledWhenItIsBack() throws Exception {
        String ns = "e2e-sync-down";
        ClusterWorkloads.namespace(client, ns, ClusterWorkloads.OPTED_IN);
        String log = policy.stopSync();
        assertThat(log).contains("holds the Lease " + PolicyMode.LEASE + "; watching");
        try {
            ClusterWorkloads.create(client, ClusterWorkloads.shard(ns, "at-zero", 2).build());
            ClusterWorkloads.create(client, started(ns, "at-five", 5, 2));
            var zero = ClusterWorkloads.awaitPods(client, ns, "at-zero", 2);
            assertThat(marks(zero.get(0))).as("at-zero-0 is marked by the policy alone").containsExactlyInAnyOrderEntriesOf(expectedMarks());
            assertThat(marks(zero.get(1))).as("at-zero-1").isEmpty();
            var five = ClusterWorkloads.awaitPods(client, ns, "at-five", 2);
            assertThat(five).allSatisfy(p -> assertThat(marks(p)).as(p.getMetadata().getName() + " (no sync: start 5 unknown)").isEmpty());

            Command audit = JarCommand.run(policy.cluster().kubeconfig(), Map.of(), "audit", "--namespace", ns);
            assertThat(audit.exitCode()).as(audit.stdout() + audit.stderr()).isEqualTo(1);
            assertThat(audit.stdout()).containsPattern("at-five\\s.*uncovered");
        } finally {
            policy.startSync();
        }
        awaitMarked(ns, "at-five-5");
        assertThat(marks(client.pods().inNamespace(ns).withName("at-five-6").get())).isEmpty();
        assertThat(policy.syncLog()).contains("pod " + ns + "/at-five-5: add label");
        Command clean = JarCommand.run(policy.cluster().kubeconfig(), Map.of(), "audit", "--namespace", ns);
        assertThat(clean.exitCode()).as(clean.stdout() + clean.stderr()).isZero();

        // With the sync back and the set listed, a recreated first ordinal is marked at admission.
        client.pods().inNamespace(ns).withName("at-five-5").withGracePeriod(0).delete();
        Pod recreated = Waits.until(Duration.ofSeconds(60), "at-five-5 recreated", () -> {
            Pod pod = client.pods().inNamespace(ns).withName("at-five-5").get();
            return pod != null && pod.getMetadata().getDeletionTimestamp() == null && pod.getMetadata().getLabels().containsKey(LABEL) ? pod : null;
        });
        assertThat(marks(recreated)).containsExactlyInAnyOrderEntriesOf(expectedMarks());
        // Marked by the policy as the controller created it, not patched afterwards by policy-sync. Fields an
        // admission mutation adds are attributed to no manager (the API server tracks the request as sent), so a
        // later patch would show as a second manager's entry; the only entry is the StatefulSet controller's create.
        assertThat(recreated.getMetadata().getManagedFields())
                .as("managedFields of the recreated pod: %s", client.getKubernetesSerialization().asJson(recreated.getMetadata().getManagedFields()))
                .extracting(f -> f.getManager() + " " + f.getOperation())
                .containsExactly("kube-controller-manager Update");
        assertThat(policy.syncLog()).as("policy-sync patched at-five-5 once (the backfill), not again after the recreation")
                .containsOnlyOnce("pod " + ns + "/at-five-5: add label");
    }

    private static Map<String, String> expectedMarks() {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        return expected;
    }

    private static void awaitMarked(String namespace, String pod) {
        Waits.until(Duration.ofSeconds(60), () -> pod + " marked; policy-sync's log:\n" + policy.syncLog(), () -> {
            Pod stored = client.pods().inNamespace(namespace).withName(pod).get();
            return stored != null && marks(stored).equals(expectedMarks());
        });
    }

    private static io.fabric8.kubernetes.api.model.apps.StatefulSet started(String namespace, String name, int start, int replicas) {
        return ClusterWorkloads.shard(namespace, name, replicas).editSpec().withNewOrdinals().withStart(start).endOrdinals().endSpec().build();
    }
}
