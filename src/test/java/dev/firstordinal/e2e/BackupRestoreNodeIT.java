package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firstordinal.testing.Directories;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The story this project exists for, on a real node with data, the way users run it: three shards of
 * {@code deploy/examples/redis-sentinel} holding 10,000 keys each, the webhook installed by its Helm chart, Velero
 * installed by {@code velero install} with its node agent, the shipped file-system-backup Schedule
 * ({@code deploy/velero/schedule-fs-backup.yaml}) applied as is. Velero runs first-ordinal's hook inside each running
 * Redis, copies exactly one volume per shard, and after a disaster {@code deploy/velero/RESTORE.md}'s own commands,
 * taken from the document, bring every shard back with its data.
 */
@Tag("real-node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreNodeIT {

    private static final String NS = "redis";
    private static final List<String> SHARDS = List.of("redis-shard-0", "redis-shard-1", "redis-shard-2");
    private static final int KEYS = 10_000;
    private static final String SCHEDULE = "redis-first-ordinal";
    private static final Pattern HOOK_DONE = Pattern.compile("BGSAVE finished in ([0-9.]+)s, RDB saved at ([0-9]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RealNode node;
    private static KubernetesClient admin;
    private static VeleroOnNode velero;
    private static Path manifests;
    /** Per shard, the keys the writer had acknowledged before that shard's hook began, in backup 1. */
    private static final Map<String, List<String>> ackedBeforeHook = new TreeMap<>();
    private static long oneVolumePerShardBytes;

    @BeforeAll
    static void shardsWithDataTheWebhookAndVelero() throws Exception {
        node = RealNode.shared();
        admin = node.cluster().admin();
        NodeInstall.helmInstall(node, NodeInstall.imageValues(node));
        velero = VeleroOnNode.install(node);
        node.cluster().kubectl(null, "apply", "-f", Path.of("deploy/velero/schedule-fs-backup.yaml").toAbsolutePath().toString()).orThrow();

        manifests = threeShardsKustomization();
        node.ensureFreeVolumes(SHARDS.size() * 3);
        node.cluster().kubectl(null, "apply", "-k", manifests.toString()).orThrow();
        for (String shard : SHARDS) {
            NodeExamples.awaitReadyShard(admin, NS, shard);
            awaitSentinelMaster(shard, shard + "-0", 2);
            try (RedisWire primary = new RedisWire(podIp(shard + "-0"))) {
                primary.setAll(baseKeys(shard));
            }
        }
        for (String shard : SHARDS) {
            for (int ordinal = 0; ordinal < 3; ordinal++) {
                String pod = shard + "-" + ordinal;
                Waits.until(Duration.ofSeconds(60), pod + " holds the " + KEYS + " keys", () -> dbsize(pod) == KEYS);
            }
        }
    }

    @AfterAll
    static void removeEverything() {
        if (velero != null) {
            velero.close();
        }
        if (node != null) {
            NodeInstall.removeWithTheWebhook(node, NS);
        }
    }

    @Test
    @Order(1)
    void theScheduledBackupRunsTheHookInEachFirstOrdinalAndCopiesOnlyItsClaim() throws Exception {
        List<AckedWriter> writers = SHARDS.stream().map(shard -> AckedWriter.start(shard, podIp(shard + "-0"))).toList();
        Waits.pause(Duration.ofSeconds(2));
        long started = System.nanoTime();
        Command backup = velero.cli("backup", "create", "story-1", "--from-schedule", SCHEDULE, "--wait");
        long backupMillis = (System.nanoTime() - started) / 1_000_000;
        writers.forEach(AckedWriter::stop);
        assertThat(backup.exitCode()).as("velero backup create:\n%s%s", backup.stdout(), backup.stderr()).isZero();
        BackupContents contents = contents("story-1");

        assertThat(contents.status("phase").asText()).as("phase; log:\n%s", tail(contents.log())).isEqualTo("Completed");
        assertThat(contents.status("hookStatus/hooksAttempted").asInt()).isEqualTo(3);
        assertThat(contents.status("hookStatus/hooksFailed").asInt()).isZero();
        Map<String, String> hooks = hookOutputs(contents.log());
        assertThat(hooks.keySet()).containsExactlyInAnyOrder("redis-shard-0-0", "redis-shard-1-0", "redis-shard-2-0");
        assertThat(hooks.values()).allSatisfy(out -> assertThat(out).containsPattern(HOOK_DONE));
        assertThat(podVolumeBackups("story-1").keySet())
                .containsExactlyInAnyOrder(NS + "/redis-shard-0-0:data", NS + "/redis-shard-1-0:data", NS + "/redis-shard-2-0:data");
        List<String> firstClaims = SHARDS.stream().map(s -> NS + "/data-" + s + "-0").toList();
        assertThat(contents.items("persistentvolumeclaims")).containsExactlyInAnyOrderElementsOf(firstClaims);
        assertThat(contents.items("pods")).containsExactlyInAnyOrderElementsOf(SHARDS.stream().map(s -> NS + "/" + s + "-0").toList());
        assertThat(contents.items("persistentvolumes")).containsExactlyInAnyOrderElementsOf(firstClaims.stream()
                .map(c -> admin.persistentVolumeClaims().inNamespace(NS).withName(c.substring(NS.length() + 1)).get().getSpec().getVolumeName())
                .toList());

        for (AckedWriter writer : writers) {
            Matcher done = HOOK_DONE.matcher(hooks.get(writer.shard() + "-0"));
            assertThat(done.find()).isTrue();
            // The hook began at least its duration before the RDB's save time (whole seconds): a write acknowledged
            // before that bound was acknowledged before the BGSAVE forked.
            long hookBeganBound = (Long.parseLong(done.group(2)) - (long) Math.ceil(Double.parseDouble(done.group(1))) - 1) * 1000;
            ackedBeforeHook.put(writer.shard(), writer.ackedBefore(hookBeganBound));
            RealNode.report("backup story-1: " + writer.shard() + ": writer acknowledged " + writer.acked() + " writes during the backup, "
                    + ackedBeforeHook.get(writer.shard()).size() + " before the hook began; hook: " + hooks.get(writer.shard() + "-0").strip());
        }
        assertThat(ackedBeforeHook.values()).as("the writer ran before each hook began").allSatisfy(keys -> assertThat(keys).isNotEmpty());
        oneVolumePerShardBytes = velero.objectStore().storedBytes(S3Proxy.BUCKET);
        RealNode.report("backup story-1 (one volume per shard): " + backupMillis + " ms, object store " + oneVolumePerShardBytes
                + " bytes, volume bytes read " + podVolumeBackups("story-1").values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    @Order(2)
    void backingUpEveryPodsVolumeCostsThreeTimesTheVolumesOfOnePerShard() throws Exception {
        Path bucket = Files.createDirectories(node.cluster().dir().resolve("velero/s3/every-pod"));
        velero.cli("backup-location", "create", "every-pod", "--provider", "aws", "--bucket", bucket.getFileName().toString(),
                "--config", "region=us-east-1,s3ForcePathStyle=true,s3Url=" + velero.objectStore().endpoint() + ",checksumAlgorithm=").orThrow();
        Waits.until(Duration.ofSeconds(90), "BackupStorageLocation every-pod Available", () -> "Available".equals(node.cluster()
                .kubectl(null, "get", "backupstoragelocation", "every-pod", "-n", VeleroOnNode.NAMESPACE, "-o", "jsonpath={.status.phase}").stdout().strip()));

        // The same backup as the Schedule's, but selecting every pod of the shards instead of the marked ones.
        Command backup = velero.cli("backup", "create", "every-pod", "--storage-location", "every-pod", "--include-namespaces", NS,
                "--include-resources", "pods,persistentvolumeclaims,persistentvolumes", "--default-volumes-to-fs-backup",
                "--resource-policies-configmap", "redis-first-ordinal-volume-policy", "--snapshot-volumes=false", "--wait");
        assertThat(backup.exitCode()).as(backup.stdout() + backup.stderr()).isZero();

        Map<String, Long> everyPod = podVolumeBackups("every-pod");
        long everyPodBytes = velero.objectStore().storedBytes(bucket.getFileName().toString());
        RealNode.report("backup every-pod (nine volumes): object store " + everyPodBytes + " bytes against " + oneVolumePerShardBytes
                + " for one volume per shard; volume bytes read " + everyPod.values().stream().mapToLong(Long::longValue).sum()
                + " against " + podVolumeBackups("story-1").values().stream().mapToLong(Long::longValue).sum());
        assertThat(everyPod).hasSize(9);
        assertThat(podVolumeBackups("story-1")).hasSize(3);
    }

    @Test
    @Order(3)
    void afterAFailoverTheRecreatedOrdinalZeroIsAMarkedReplicaAndItsHookSaysSo() throws Exception {
        String shard = "redis-shard-1";
        // The node is cordoned while ordinal 0 is gone, so that it stays gone longer than Sentinel's down-after
        // (5 s): a pod recreated within it comes back as the primary it was.
        node.cluster().kubectl(null, "cordon", node.setting("FIRST_ORDINAL_E2E_NODE_NAME")).orThrow();
        try {
            node.cluster().kubectl(null, "-n", NS, "delete", "pod", shard + "-0", "--wait").orThrow();
            Map<String, String> promoted = Waits.until(Duration.ofSeconds(120), "Sentinel to promote a replica of " + shard, () -> {
                Map<String, String> master = NodeExamples.sentinelMaster(node, NS, shard + "-1", "shard-0");
                return master.get("ip") != null && !master.get("ip").startsWith(shard + "-0.") ? master : null;
            });
            RealNode.report("failover: Sentinel promoted " + promoted.get("ip"));
        } finally {
            node.cluster().kubectl(null, "uncordon", node.setting("FIRST_ORDINAL_E2E_NODE_NAME")).orThrow();
        }
        List<Pod> pods = NodeExamples.awaitReadyShard(admin, NS, shard);
        Waits.until(Duration.ofSeconds(120), shard + "-0 a replica with its link up", () ->
                replication(shard + "-0").contains("master_link_status:up"));

        assertThat(replication(shard + "-0")).contains("role:slave");
        assertThat(StoredPods.marks(pods.get(0))).containsEntry("label " + StoredPods.LABEL, StoredPods.LABEL_VALUE)
                .containsAllEntriesOf(StoredPods.hookFor("redis"));
        Command backup = velero.cli("backup", "create", "story-2", "--from-schedule", SCHEDULE, "--wait");
        assertThat(backup.exitCode()).as(backup.stdout() + backup.stderr()).isZero();
        BackupContents contents = contents("story-2");
        assertThat(contents.status("phase").asText()).isEqualTo("Completed");
        assertThat(contents.status("hookStatus/hooksFailed").asInt()).isZero();
        String hook = hookOutputs(contents.log()).get(shard + "-0");
        assertThat(hook).as("the hook line of %s-0 in:\n%s", shard, tail(contents.log())).isNotNull();
        RealNode.report("backup story-2: " + shard + "-0 (a replica): " + hook.strip());
        assertThat(hook).containsPattern(HOOK_DONE).contains("replica of").contains("link up");
    }

    @Test
    @Order(4)
    void afterLosingEveryShardsSetClaimsAndVolumesTheRunbookBringsBackEveryKey() throws Exception {
        loseThenRestoreByTheRunbook(false, "story-1");
    }

    @Test
    @Order(5)
    void afterLosingTheWholeNamespaceTheRunbookBringsBackTheBackupTakenAfterTheFailover() throws Exception {
        loseThenRestoreByTheRunbook(true, "story-2");
    }

    /** The disaster (every shard's sets, claims and volumes, or the whole namespace), the runbook, and every key back. */
    private static void loseThenRestoreByTheRunbook(boolean wholeNamespace, String backup) throws IOException {
        disaster(wholeNamespace, SHARDS);

        long millis = restoreByTheRunbook(backup, SHARDS);

        RealNode.report("restore of " + backup + " by RESTORE.md (" + (wholeNamespace ? "namespace" : "sets, claims and volumes")
                + " lost): all shards serving " + millis + " ms after the restore began");
        for (String shard : SHARDS) {
            assertEveryKeyIsBack(shard, ackedBeforeHook.get(shard));
        }
    }

    @Test
    @Order(6)
    void withoutTheHookTheWritesAcknowledgedBeforeTheBackupAreNotInIt() throws Exception {
        String shard = "redis-shard-0";
        String first = shard + "-0";
        // The webhook (and its self-repair, which would put the hook back) is stopped; the hook is taken off ordinal 0.
        scaleWebhook(0);
        try {
            node.cluster().kubectl(null, "-n", NS, "annotate", "pod", first, "pre.hook.backup.velero.io/command-",
                    "pre.hook.backup.velero.io/container-", "pre.hook.backup.velero.io/on-error-", "pre.hook.backup.velero.io/timeout-",
                    "first-ordinal.dev/hook-").orThrow();
            // A save now, then fewer writes than any of the example's save points needs for 300 s: without a BGSAVE
            // before the copy, the RDB on the volume cannot hold them.
            node.exec(NS, first, "redis", "redis-cli", "SAVE").orThrow();
            List<String> acked = IntStream.range(0, 50).mapToObj(i -> "no-hook:" + i).toList();
            try (RedisWire primary = new RedisWire(podIp(first))) {
                primary.setAll(acked);
            }

            Command backup = velero.cli("backup", "create", "no-hook", "--from-schedule", SCHEDULE, "--wait");
            assertThat(backup.exitCode()).as(backup.stdout() + backup.stderr()).isZero();
            BackupContents contents = contents("no-hook");
            assertThat(contents.status("phase").asText()).isEqualTo("Completed");
            assertThat(hookOutputs(contents.log())).doesNotContainKey(first).hasSize(SHARDS.size() - 1);
            disaster(false, List.of(shard));
            restoreByTheRunbook("no-hook", List.of(shard));

            List<Pod> pods = NodeExamples.awaitReadyShard(admin, NS, shard);
            try (RedisWire primary = new RedisWire(pods.get(0).getStatus().getPodIP())) {
                long missing = acked.size() - primary.exists(acked);
                RealNode.report("backup no-hook: " + missing + " of " + acked.size() + " writes acknowledged before the backup began are not in it");
                assertThat(primary.exists(baseKeys(shard))).as("the keys saved long before").isEqualTo(KEYS);
                assertThat(missing).as("writes acknowledged before a backup without the hook, missing from it").isEqualTo(acked.size());
            }
        } finally {
            scaleWebhook(2);
        }
    }

    private static void scaleWebhook(int replicas) {
        for (var deployment : admin.apps().deployments().inNamespace(NodeInstall.NAMESPACE).list().getItems()) {
            admin.apps().deployments().inNamespace(NodeInstall.NAMESPACE).withName(deployment.getMetadata().getName()).scale(replicas);
        }
        if (replicas == 0) {
            Waits.until(Duration.ofSeconds(120), "no webhook pod left", () -> admin.pods().inNamespace(NodeInstall.NAMESPACE)
                    .withLabel("app.kubernetes.io/name", "first-ordinal").list().getItems().isEmpty());
        } else {
            NodeInstall.awaitWebhookPods(admin, replicas);
        }
    }

    /** Removes every shard's StatefulSet, claims and volumes, and wipes the volumes' directories (or the whole namespace). */
    private static void disaster(boolean wholeNamespace, List<String> shards) throws IOException {
        List<String> volumes = admin.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
                .filter(c -> wholeNamespace || shards.contains(c.getMetadata().getLabels().get("app")))
                .map(c -> c.getSpec().getVolumeName()).toList();
        if (wholeNamespace) {
            ClusterWorkloads.deleteNamespace(admin, NS);
        } else {
            for (String shard : shards) {
                node.cluster().kubectl(null, "-n", NS, "delete", "statefulset", shard, "--wait").orThrow();
                node.cluster().kubectl(null, "-n", NS, "delete", "pvc", "-l", "app=" + shard, "--wait").orThrow();
            }
        }
        for (String volume : volumes) {
            Path path = Path.of(admin.persistentVolumes().withName(volume).get().getSpec().getLocal().getPath());
            node.cluster().kubectl(null, "delete", "pv", volume, "--wait").orThrow();
            Directories.deleteTree(path);
        }
        node.ensureFreeVolumes(SHARDS.size() * 3);
    }

    /** RESTORE.md's sections 1.1, 1.3, 1.4 (file-system backups) and 2, as written; the time until every shard serves. */
    private static long restoreByTheRunbook(String backup, List<String> shards) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("BACKUP", backup);
        variables.put("NAMESPACE", NS);
        variables.put("SHARDS", String.join(" ", shards));
        variables.put("MANIFESTS", manifests.toString());
        assertThat(Runbook.assignments(Runbook.block("## 1. Restore shards"))).containsExactly("NAMESPACE", "SHARDS", "MANIFESTS");
        long started = System.nanoTime();
        Command run = Runbook.run(node.cluster(), variables, List.of(velero.binDir()), 1800,
                Runbook.block("### 1.1 The namespace and its opt-in label"),
                Runbook.block("### 1.3 Remove what the restore replaces"),
                Runbook.block("#### With file-system backups"),
                Runbook.block("## 2. Recreate the StatefulSets and watch"),
                Runbook.block("With file-system backups, wait until each restore"),
                Runbook.block("Then every shard serves"),
                Runbook.block("Sentinel names ordinal 0 as primary"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(run.exitCode()).as("RESTORE.md:\n%s\n%s", run.stdout(), run.stderr()).isZero();
        assertThat(Pattern.compile("Done loading RDB, keys loaded: ([0-9]+)").matcher(run.stdout()).results()
                .map(m -> Long.parseLong(m.group(1))).toList()).as("each ordinal 0 loaded its RDB").hasSize(shards.size())
                .allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(KEYS));
        return millis;
    }

    private static void assertEveryKeyIsBack(String shard, List<String> acked) {
        List<Pod> pods = NodeExamples.awaitReadyShard(admin, NS, shard);
        try (RedisWire primary = new RedisWire(pods.get(0).getStatus().getPodIP())) {
            assertThat(primary.exists(baseKeys(shard))).as("%s: the %d keys written before the backups", shard, KEYS).isEqualTo(KEYS);
            assertThat(primary.exists(acked)).as("%s: the writes acknowledged before the hook began", shard).isEqualTo(acked.size());
        }
        long size = dbsize(shard + "-0");
        for (int ordinal = 1; ordinal < 3; ordinal++) {
            String replica = shard + "-" + ordinal;
            Waits.until(Duration.ofSeconds(120), replica + " resynced to DBSIZE " + size, () -> dbsize(replica) == size);
        }
        assertThat(awaitSentinelMaster(shard, shard + "-0", 2).get("ip")).startsWith(shard + "-0.");
        assertThat(StoredPods.marks(pods.get(0))).containsEntry("label " + StoredPods.LABEL, StoredPods.LABEL_VALUE);
        assertThat(StoredPods.marks(pods.get(1))).isEmpty();
        assertThat(StoredPods.marks(pods.get(2))).isEmpty();
    }

    /** The example three times, renamed, with the Redis image built here: a kustomization as a user keeps one. */
    private static Path threeShardsKustomization() throws IOException {
        Path dir = Files.createDirectories(node.cluster().dir().resolve("three-shards"));
        Files.writeString(dir.resolve("shards.yaml"), ExampleShards.yaml(node.cluster(), SHARDS, null));
        String[] redis = RealNode.repositoryAndTag(node.redisImage());
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - shards.yaml
                images:
                  - name: redis
                    newName: %s
                    newTag: "%s"
                """.formatted(redis[0], redis[1]));
        return dir;
    }

    private static Map<String, String> awaitSentinelMaster(String shard, String master, int replicas) {
        return Waits.until(Duration.ofSeconds(120), "Sentinel of " + shard + " to name " + master + " with " + replicas + " replicas", () -> {
            Map<String, String> fields = NodeExamples.sentinelMaster(node, NS, shard + "-0", "shard-0");
            return String.valueOf(fields.get("ip")).startsWith(master + ".") && String.valueOf(replicas).equals(fields.get("num-slaves"))
                    ? fields : null;
        });
    }

    private static List<String> baseKeys(String shard) {
        return IntStream.range(0, KEYS).mapToObj(i -> "base:" + shard + ":" + i).toList();
    }

    private static String podIp(String pod) {
        return admin.pods().inNamespace(NS).withName(pod).get().getStatus().getPodIP();
    }

    private static long dbsize(String pod) {
        return Long.parseLong(node.exec(NS, pod, "redis", "redis-cli", "DBSIZE").orThrow().stdout().strip());
    }

    private static String replication(String pod) {
        return node.exec(NS, pod, "redis", "redis-cli", "INFO", "replication").orThrow().stdout();
    }

    private static BackupContents contents(String backup) throws IOException {
        return BackupContents.of(velero::cli, node.cluster(), Files.createDirectories(node.cluster().dir().resolve("velero/downloads")), backup);
    }

    /** "namespace/pod:volume" of each PodVolumeBackup of a backup, with the bytes it read. */
    private static Map<String, Long> podVolumeBackups(String backup) throws IOException {
        JsonNode list = JSON.readTree(node.cluster().kubectl(null, "get", "podvolumebackups", "-n", VeleroOnNode.NAMESPACE,
                "-l", "velero.io/backup-name=" + backup, "-o", "json").orThrow().stdout());
        Map<String, Long> volumes = new TreeMap<>();
        for (JsonNode item : list.path("items")) {
            assertThat(item.at("/status/phase").asText()).as("PodVolumeBackup %s", item.at("/metadata/name").asText()).isEqualTo("Completed");
            volumes.put(item.at("/spec/pod/namespace").asText() + "/" + item.at("/spec/pod/name").asText() + ":" + item.at("/spec/volume").asText(),
                    item.at("/status/progress/totalBytes").asLong());
        }
        return volumes;
    }

    /**
     * The stdout of each pre-backup hook in a backup's log, by pod name. Velero's hook lines name the container, not
     * the pod (and item blocks are logged before their hooks run): the hook's own last line names its pod.
     */
    static Map<String, String> hookOutputs(String log) {
        Map<String, String> outputs = new TreeMap<>();
        Matcher stdout = Pattern.compile("msg=\"stdout: (first-ordinal hook: [^\"]*?; pod ([a-z0-9.-]+))\\\\n\" backup=[^ ]+ .*hookContainer=redis ")
                .matcher(log);
        while (stdout.find()) {
            outputs.put(stdout.group(2), stdout.group(1));
        }
        return outputs;
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }

    /** Writes fresh keys to one shard's primary, one at a time, remembering when each write was acknowledged. */
    private static final class AckedWriter {
        private static final int MAX_WRITES = 100_000;

        private final String shard;
        private final Thread thread;
        private final List<long[]> acks = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean stopped;

        private AckedWriter(String shard, String host) {
            this.shard = shard;
            this.thread = new Thread(() -> write(host), "writer-" + shard);
        }

        static AckedWriter start(String shard, String host) {
            AckedWriter writer = new AckedWriter(shard, host);
            writer.thread.setDaemon(true);
            writer.thread.start();
            return writer;
        }

        private void write(String host) {
            try (RedisWire primary = new RedisWire(host)) {
                for (int n = 0; n < MAX_WRITES && !stopped; n++) {
                    primary.call("SET", key(n), String.valueOf(n));
                    acks.add(new long[] {n, System.currentTimeMillis()});
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() {
            stopped = true;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String shard() {
            return shard;
        }

        int acked() {
            return acks.size();
        }

        List<String> ackedBefore(long epochMillis) {
            synchronized (acks) {
                return acks.stream().filter(a -> a[1] < epochMillis).map(a -> key((int) a[0])).toList();
            }
        }

        private String key(int n) {
            return "fresh:" + shard + ":" + n;
        }
    }
}
