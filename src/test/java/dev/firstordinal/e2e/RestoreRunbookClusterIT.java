package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/velero/RESTORE.md's removal step (1.3), the shell block exactly as written, run by
 * {@code sh} with the real {@code kubectl} against a real API server: three shards in one namespace,
 * every claim Bound to a Retain volume, two of them named in {@code SHARDS}. Issue 30 #3: the
 * runbook used to note every claim's volume in the namespace and then delete them all, the other
 * shards' Bound volumes included.
 */
@Tag("real-cluster")
class RestoreRunbookClusterIT {

    private static final String NS = "e2e-runbook";
    private static final List<String> RESTORED = List.of("cache-a", "cache-b");
    private static final String UNTOUCHED = "cache-c";
    private static final int REPLICAS = 2;

    private static ControlPlane cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void threeShardsWithBoundVolumes() {
        cluster = ControlPlane.shared();
        client = cluster.admin();
        ClusterWorkloads.namespace(client, NS, ClusterWorkloads.OPTED_IN);
        for (String shard : allShards()) {
            for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
                ClusterWorkloads.reservedVolume(client, volume(shard, ordinal), NS, "data-" + shard + "-" + ordinal);
            }
            ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, shard, REPLICAS).build());
            ClusterWorkloads.awaitPods(client, NS, shard, REPLICAS);
        }
        Waits.until(Duration.ofSeconds(90), "the claims in " + NS + " Bound", () -> {
            List<PersistentVolumeClaim> claims = client.persistentVolumeClaims().inNamespace(NS).list().getItems();
            return claims.size() == allShards().size() * REPLICAS && claims.stream().allMatch(c -> "Bound".equals(c.getStatus().getPhase()));
        });
    }

    @Test
    void theRemovalStepDeletesOnlyTheNamedShardsSetsClaimsAndVolumes() throws Exception {
        String variables = Runbook.block("## 1. Restore shards");
        assertThat(Runbook.assignments(variables))
                .as("section 1 sets exactly these variables, which this test sets to its own shards").containsExactly("NAMESPACE", "SHARDS", "MANIFESTS");
        String removal = Runbook.block("### 1.3 Remove what the restore replaces");

        Command run = Runbook.run(cluster, Map.of("NAMESPACE", NS, "SHARDS", String.join(" ", RESTORED)), List.of(), 180, removal);

        assertThat(run.exitCode()).as("step 1.3:\n%s\n%s", run.stdout(), run.stderr()).isZero();
        assertThat(run.stderr()).as("no volume left behind as not Released").doesNotContain("not deleted");
        for (String shard : RESTORED) {
            assertThat(client.apps().statefulSets().inNamespace(NS).withName(shard).get()).as(shard).isNull();
            assertThat(client.persistentVolumeClaims().inNamespace(NS).withLabel("app", shard).list().getItems()).as(shard + " claims").isEmpty();
            for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
                assertThat(client.persistentVolumes().withName(volume(shard, ordinal)).get()).as(volume(shard, ordinal)).isNull();
            }
        }
        assertThat(client.apps().statefulSets().inNamespace(NS).withName(UNTOUCHED).get()).as(UNTOUCHED).isNotNull();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withLabel("app", UNTOUCHED).list().getItems())
                .hasSize(REPLICAS).allSatisfy(c -> {
                    assertThat(c.getStatus().getPhase()).isEqualTo("Bound");
                    assertThat(c.getMetadata().getDeletionTimestamp()).isNull();
                });
        for (int ordinal = 0; ordinal < REPLICAS; ordinal++) {
            PersistentVolume untouched = client.persistentVolumes().withName(volume(UNTOUCHED, ordinal)).get();
            assertThat(untouched).as(volume(UNTOUCHED, ordinal)).isNotNull();
            assertThat(untouched.getMetadata().getDeletionTimestamp()).as("not Terminating").isNull();
            assertThat(untouched.getStatus().getPhase()).isEqualTo("Bound");
        }
    }

    private static List<String> allShards() {
        List<String> all = new ArrayList<>(RESTORED);
        all.add(UNTOUCHED);
        return all;
    }

    private static String volume(String shard, int ordinal) {
        return "e2e-runbook-pv-" + shard + "-" + ordinal;
    }
}
