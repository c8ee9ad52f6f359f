package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of first-ordinal, checked by the real Velero: the shipped Schedule
 * ({@code deploy/velero/schedule.yaml}, applied as is) backs up, per shard, the first ordinal's claim
 * and volume and nothing of the replicas. Velero v1.18 server and CLI, velero-plugin-for-aws, s3proxy.
 *
 * <p>The shards are {@code deploy/examples/redis-sentinel} three times (shard 0 as shipped, 1 and 2
 * renamed), with {@code podManagementPolicy: Parallel}: without a kubelet no pod becomes Ready, so
 * OrderedReady would never create the replicas this test needs. Hostpath PersistentVolumes are made
 * beforehand so that the controller manager's PV binder binds the claims.
 */
@Tag("real-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VeleroClusterIT {

    private static final String NS = "redis";                 // deploy/examples' opted-in namespace
    private static final String NOT_OPTED_IN = "redis-no-backup";
    private static final List<String> SHARDS = List.of("redis-shard-0", "redis-shard-1", "redis-shard-2");

    private static ControlPlane cluster;
    private static KubernetesClient client;
    private static VeleroServer velero;

    @BeforeAll
    static void shardsAndVelero() throws Exception {
        ClusterWebhook.shared();
        cluster = ControlPlane.shared();
        client = cluster.admin();
        ClusterWorkloads.deleteNamespace(client, NS); // MarkingClusterIT applies the example as shipped (OrderedReady)
        // One volume per claim, reserved for it by claimRef: the shared cluster has other tests' Pending
        // claims, which the binder would otherwise give these volumes to.
        for (String shard : SHARDS) {
            for (int ordinal = 0; ordinal < 3; ordinal++) {
                ClusterWorkloads.reservedVolume(client, "e2e-velero-pv-" + shard + "-" + ordinal, NS, "data-" + shard + "-" + ordinal);
            }
        }
        for (int ordinal = 0; ordinal < 3; ordinal++) {
            ClusterWorkloads.reservedVolume(client, "e2e-velero-pv-unprotected-" + ordinal, NOT_OPTED_IN, "data-unprotected-" + ordinal);
        }
        cluster.kubectl(threeShards(), "apply", "-f", "-").orThrow();
        ClusterWorkloads.namespace(client, NOT_OPTED_IN, Map.of());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NOT_OPTED_IN, "unprotected", 3).build());
        for (String shard : SHARDS) {
            ClusterWorkloads.awaitPods(client, NS, shard, 3);
        }
        for (String namespace : List.of(NS, NOT_OPTED_IN)) {
            Waits.until(Duration.ofSeconds(90), "the claims in " + namespace + " Bound", () -> client.persistentVolumeClaims().inNamespace(namespace)
                    .list().getItems().stream().allMatch(c -> "Bound".equals(c.getStatus().getPhase())));
        }
        velero = new VeleroServer(cluster);
        velero.start();
        cluster.kubectl(Files.readString(Path.of("deploy/velero/schedule.yaml")), "apply", "-f", "-").orThrow();
    }

    @AfterAll
    static void stopVelero() {
        if (velero != null) {
            velero.close();
        }
    }

    /** deploy/examples/redis-sentinel, its shard three times, Parallel. */
    static String threeShards() {
        return ExampleShards.yaml(cluster, SHARDS, "Parallel");
    }

    /** Backs up from the shipped Schedule, downloads the tarball and lists what it holds. */
    private static BackupContents backupFromSchedule(String name) throws Exception {
        Command created = velero.cli("backup", "create", name, "--from-schedule", "redis-first-ordinal", "--wait");
        assertThat(created.exitCode()).as("velero backup create:\n%s%s\nserver log:\n%s", created.stdout(), created.stderr(),
                tail(velero.log())).isZero();
        return BackupContents.of(velero::cli, cluster, velero.dir(), name);
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }

    /** The items of a resource in this test's two namespaces (the shared cluster has other tests' opted-in namespaces). */
    private static Set<String> ours(BackupContents contents, String resource) throws Exception {
        Set<String> mine = new TreeSet<>(contents.items(resource));
        mine.removeIf(item -> !item.startsWith(NS + "/") && !item.startsWith(NOT_OPTED_IN + "/"));
        return mine;
    }

    private static String table(BackupContents contents) throws Exception {
        StringBuilder out = new StringBuilder(String.format("%-16s %-20s %-22s %s%n", "SHARD", "PODS", "CLAIMS", "VOLUMES"));
        Set<String> pvcs = ours(contents, "persistentvolumeclaims");
        Set<String> pods = ours(contents, "pods");
        Set<String> pvs = contents.items("persistentvolumes");
        for (String shard : SHARDS) {
            List<String> shardPvcs = pvcs.stream().filter(p -> p.startsWith(NS + "/data-" + shard + "-")).toList();
            List<String> shardPods = pods.stream().filter(p -> p.startsWith(NS + "/" + shard + "-")).toList();
            List<String> shardPvs = shardPvcs.stream().map(VeleroClusterIT::volumeOf).filter(pvs::contains).toList();
            out.append(String.format("%-16s %-20s %-22s %s%n", shard, shardPods.isEmpty() ? "-" : String.join(",", shardPods),
                    String.join(",", shardPvcs), String.join(",", shardPvs)));
        }
        return out.toString();
    }

    static String volumeOf(String namespacedClaim) {
        String[] parts = namespacedClaim.split("/");
        return client.persistentVolumeClaims().inNamespace(parts[0]).withName(parts[1]).get().getSpec().getVolumeName();
    }

    @Test
    @Order(1)
    void theShippedScheduleBacksUpOneClaimAndVolumePerShardAndNoReplica() throws Exception {
        BackupContents contents = backupFromSchedule("e2e-one-per-shard");
        System.err.println("backup e2e-one-per-shard, per shard:\n" + table(contents));

        Set<String> claims = ours(contents, "persistentvolumeclaims");
        assertThat(claims).containsExactlyInAnyOrder(NS + "/data-redis-shard-0-0", NS + "/data-redis-shard-1-0", NS + "/data-redis-shard-2-0");
        Set<String> volumes = contents.items("persistentvolumes");
        assertThat(volumes).containsAll(claims.stream().map(VeleroClusterIT::volumeOf).toList());
        assertThat(ours(contents, "pods")).noneMatch(p -> p.matches(".*-[12]$")).noneMatch(p -> p.startsWith(NOT_OPTED_IN + "/"));
        // Everywhere in the cluster (other tests' namespaces too): every claim in the backup belongs to a
        // pod that carries the backup label, and every volume to a claim in the backup.
        Set<String> allClaims = contents.items("persistentvolumeclaims");
        for (String claim : allClaims) {
            String[] parts = claim.split("/");
            var pod = client.pods().inNamespace(parts[0]).withName(parts[1].substring("data-".length())).get();
            assertThat(pod).as("the pod of backed-up claim %s", claim).isNotNull();
            assertThat(pod.getMetadata().getLabels()).as("labels of the pod of %s", claim).containsEntry(StoredPods.LABEL, StoredPods.LABEL_VALUE);
        }
        // (other tests' claims have no volume here: they stay Pending and are backed up without one)
        assertThat(volumes).containsExactlyInAnyOrderElementsOf(allClaims.stream().map(VeleroClusterIT::volumeOf)
                .filter(java.util.Objects::nonNull).toList());
    }

    @Test
    @Order(2)
    void theHookOfAPodThatIsNotRunningFailsItsExecAndLeavesThePodManifestOutButNotItsVolume() throws Exception {
        // Velero v1.18 (pkg/podexec) does not skip a Pending pod: it calls pods/exec, which the API server
        // refuses for a pod without a node. on-error Fail then flags the pod as backed up without writing
        // it (pkg/backup/backup.go, "if pre hook fails, flag pod as backed-up and move on"), while the
        // claim and volume in the same item block are still backed up; the backup ends PartiallyFailed.
        BackupContents contents = backupFromSchedule("e2e-hook-not-running");
        JsonNode status = contents.backup().path("status");
        assertThat(status.path("phase").asText()).isEqualTo("PartiallyFailed");
        // At least our three shards' hooks (other tests' marked pods in the shared cluster add theirs); none can run.
        assertThat(status.path("hookStatus").path("hooksAttempted").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(status.path("hookStatus").path("hooksFailed").asInt()).isEqualTo(status.path("hookStatus").path("hooksAttempted").asInt());
        assertThat(ours(contents, "pods")).isEmpty();
        assertThat(ours(contents, "persistentvolumeclaims")).hasSize(3);
        for (String shard : SHARDS) {
            assertThat(contents.log()).containsPattern("msg=\"Error executing hook\" .*error=\"pod " + shard
                    + "-0 does not have a host assigned\" hookPhase=pre hookSource=annotation hookType=exec");
        }
        assertThat(contents.log()).doesNotContainPattern("Error executing hook.*redis-shard-[0-9]-[12] ");
    }

    @Test
    @Order(3)
    void aReplicaLabelledByHandIsBackedUpTooUntilAuditFixCleansIt() throws Exception {
        // As an admission-only install: the repairer would clean the replica within seconds (RepairClusterIT).
        ClusterWebhook.shared().restartWith("-Dfirst-ordinal.repair.enabled=false");
        try {
            labelledByHandUntilAuditFix();
        } finally {
            ClusterWebhook.shared().restartWith();
        }
    }

    private void labelledByHandUntilAuditFix() throws Exception {
        client.pods().inNamespace(NS).withName("redis-shard-1-1").edit(p -> {
            p.getMetadata().getLabels().put(StoredPods.LABEL, StoredPods.LABEL_VALUE);
            return p;
        });
        Command audit = JarCommand.run(cluster.kubeconfig(), Map.of(), "audit", "-n", NS);
        assertThat(audit.exitCode()).as(audit.stdout()).isEqualTo(1);
        assertThat(audit.stdout()).containsPattern("redis-shard-1\\s+redis-shard-1-0.*redis-shard-1-1.*overcovered");
        assertThat(ours(backupFromSchedule("e2e-overcovered"), "persistentvolumeclaims"))
                .contains(NS + "/data-redis-shard-1-0", NS + "/data-redis-shard-1-1").hasSize(4);

        Command fix = JarCommand.run(cluster.kubeconfig(), Map.of(), "audit", "-n", NS, "--fix");
        assertThat(fix.exitCode()).as(fix.stdout() + fix.stderr()).isZero();
        assertThat(ours(backupFromSchedule("e2e-after-fix"), "persistentvolumeclaims"))
                .containsExactlyInAnyOrder(NS + "/data-redis-shard-0-0", NS + "/data-redis-shard-1-0", NS + "/data-redis-shard-2-0");
    }

    @Test
    @Order(4)
    void restoringOneShardAsTheRunbookSaysGivesOrdinalZeroItsClaimAndVolumeBack() throws Exception {
        String backup = "e2e-after-fix";
        String shard = "redis-shard-0";
        String claim = "data-" + shard + "-0";
        String volume = client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec().getVolumeName();

        // deploy/velero/RESTORE.md, sections 1.3 and 1.4 (volume snapshots), taken from the document, for this shard.
        assertThat(cluster.kubectl(null, "get", "namespace", NS, "--show-labels").orThrow().stdout()).contains("first-ordinal.dev/backup=enabled");
        String volumes = cluster.kubectl(null, "-n", NS, "get", "pvc", "-l", "app=" + shard,
                "-o", "jsonpath={range .items[*]}{.spec.volumeName}{\"\\n\"}{end}").orThrow().stdout();
        Command run = Runbook.run(cluster, Map.of("BACKUP", backup, "NAMESPACE", NS, "SHARDS", shard), List.of(velero.binDir()), 600,
                Runbook.block("### 1.3 Remove what the restore replaces"), Runbook.block("#### With volume snapshots"));
        assertThat(run.exitCode()).as("RESTORE.md:\n%s\n%s", run.stdout(), run.stderr()).isZero();
        String restore = cluster.kubectl(null, "get", "restores.velero.io", "-n", VeleroServer.NAMESPACE, "-o", "name").orThrow().stdout()
                .lines().map(l -> l.substring(l.indexOf('/') + 1)).filter(n -> n.startsWith(shard + "-")).findFirst().orElseThrow();
        String described = velero.cli("restore", "describe", restore, "--details", "--colorized=false").orThrow().stdout();
        assertThat(described).as(described).containsPattern("Phase:\\s+Completed").contains("Items restored:              2");

        Waits.until(Duration.ofSeconds(60), claim + " restored and Bound to " + volume, () -> {
            var restored = client.persistentVolumeClaims().inNamespace(NS).withName(claim).get();
            return restored != null && "Bound".equals(restored.getStatus().getPhase()) && volume.equals(restored.getSpec().getVolumeName());
        });
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withLabel("app", shard).list().getItems())
                .extracting(c -> c.getMetadata().getName()).containsExactly(claim);

        // Step 3: recreate the StatefulSet. Ordinal 0 gets the restored claim; the replicas get fresh ones
        // (new volumes, as a dynamic provisioner would make them).
        for (int replica = 1; replica <= 2; replica++) {
            ClusterWorkloads.reservedVolume(client, "e2e-velero-pv-fresh-" + replica, NS, "data-" + shard + "-" + replica);
        }
        cluster.kubectl(threeShards(), "apply", "-f", "-").orThrow();
        var pods = ClusterWorkloads.awaitPods(client, NS, shard, 3);
        assertThat(StoredPods.marks(pods.get(0))).containsKey("label " + StoredPods.LABEL);
        Waits.until(Duration.ofSeconds(60), "three claims of " + shard + " Bound", () -> client.persistentVolumeClaims().inNamespace(NS)
                .withLabel("app", shard).list().getItems().stream().filter(c -> "Bound".equals(c.getStatus().getPhase())).count() == 3);
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec().getVolumeName()).isEqualTo(volume);
        for (int replica = 1; replica <= 2; replica++) {
            assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("data-" + shard + "-" + replica).get().getSpec().getVolumeName())
                    .as("replica %d gets a fresh volume", replica).isNotIn(volumes.strip().split("\n"));
        }
    }
}
