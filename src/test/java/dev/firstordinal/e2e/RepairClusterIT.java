package dev.firstordinal.e2e;

import dev.firstordinal.hook.HookAnnotations;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repairer of webhook mode on the real control plane, with the shipped RBAC (the webhook runs as
 * the shipped ServiceAccount): pods created while the webhook is down (fail open) are marked within
 * {@link #BOUND} of its return, a replica carrying first-ordinal's marks is cleaned, a user's hook and
 * a label the StatefulSet selects on are left alone; of two replicas exactly one repairs, and when it
 * is killed the other takes over.
 */
@Tag("real-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepairClusterIT {

    private static final String NS = "e2e-repair";
    /** What docs/coverage.md promises after the webhook is ready again (the Lease released by a clean stop). */
    static final Duration BOUND = Duration.ofSeconds(10);
    /** The repair Lease's duration: a killed holder's Lease is taken over after it, plus a retry period. */
    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final String USER_COMMAND = "[\"/bin/sh\",\"-c\",\"my-own-backup\"]";

    private static ClusterWebhook webhook;
    private static KubernetesClient client;

    @BeforeAll
    static void install() throws Exception {
        webhook = ClusterWebhook.shared();
        client = webhook.cluster().admin();
        ClusterWorkloads.namespace(client, NS, ClusterWorkloads.OPTED_IN);
    }

    @AfterAll
    static void webhookRunning() throws Exception {
        if (webhook != null) {
            webhook.start();
        }
    }

    private static Map<String, String> expectedMarks() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        return expected;
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    /** Whether every one of these pods carries first-ordinal's marks: one list, so a loaded API server delays the look once, not per pod. */
    private static boolean allMarked(List<String> names) {
        Map<String, Pod> pods = new HashMap<>();
        client.pods().inNamespace(NS).list().getItems().forEach(p -> pods.put(p.getMetadata().getName(), p));
        return names.stream().allMatch(name -> pods.containsKey(name) && marks(pods.get(name)).equals(expectedMarks()));
    }

    @Test
    @Order(1)
    void podsCreatedWhileTheWebhookWasDownAreRepairedWithinTheBoundOfItsReturnAndNothingOfTheUsersIsTouched() throws Exception {
        webhook.stop();
        List<String> firsts = IntStream.range(0, 10).mapToObj(i -> "down" + i + "-0").toList();
        for (int i = 0; i < 10; i++) {
            ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, "down" + i, 2).build());
        }
        // A replica carrying first-ordinal's marks (as after a start change, or a hand edit).
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, "over", 2).build());
        // A user's own hook on every pod, and a set that selects its pods on the backup label.
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, "userhook", 2).editSpec().editTemplate().editMetadata()
                .addToAnnotations(HookAnnotations.COMMAND, USER_COMMAND).endMetadata().endTemplate().endSpec().build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, "selected", 2).editSpec()
                .editSelector().addToMatchLabels(LABEL, LABEL_VALUE).endSelector()
                .editTemplate().editMetadata().addToLabels(LABEL, LABEL_VALUE).endMetadata().endTemplate().endSpec().build());
        for (int i = 0; i < 10; i++) {
            ClusterWorkloads.awaitPods(client, NS, "down" + i, 2);
        }
        for (String set : List.of("over", "userhook")) {
            ClusterWorkloads.awaitPods(client, NS, set, 2);
        }
        ClusterWorkloads.awaitPods(client, NS, Map.of("app", "selected"), 2, pods -> true);
        client.pods().inNamespace(NS).withName("over-1").edit(p -> {
            p.getMetadata().getLabels().put(LABEL, LABEL_VALUE);
            Map<String, String> annotations = new LinkedHashMap<>(p.getMetadata().getAnnotations() == null ? Map.of()
                    : p.getMetadata().getAnnotations());
            annotations.putAll(hookFor("redis"));
            p.getMetadata().setAnnotations(annotations);
            return p;
        });
        assertThat(firsts).allSatisfy(name -> assertThat(marks(pod(name))).as(name + " created while the webhook was down").isEmpty());

        webhook.start();
        long ready = System.nanoTime();
        Waits.until(BOUND.plusSeconds(30), () -> "every first ordinal marked; the webhook's log:\n" + logQuietly(),
                () -> allMarked(firsts));
        long repairedMillis = (System.nanoTime() - ready) / 1_000_000;
        Waits.until(BOUND.plusSeconds(30), "over-1 cleaned", () -> marks(pod("over-1")).isEmpty());
        long cleanedMillis = (System.nanoTime() - ready) / 1_000_000;
        System.err.printf("repair: 10 first ordinals created while the webhook was down marked %d ms after it was ready; "
                + "a marked replica cleaned after %d ms%n", repairedMillis, cleanedMillis);
        assertThat(repairedMillis).as("ms from ready to all 10 repaired").isLessThanOrEqualTo(BOUND.toMillis());

        for (String name : firsts) {
            assertThat(pod(name).getMetadata().getManagedFields()).as("%s was patched after admission", name)
                    .extracting(f -> f.getOperation()).contains("Update").hasSizeGreaterThan(1);
            String replica = name.replaceAll("-0$", "-1");
            assertThat(marks(pod(replica))).as(replica).isEmpty();
        }
        Waits.until(BOUND.plusSeconds(30), "userhook-0 labelled", () -> pod("userhook-0").getMetadata().getLabels().containsKey(LABEL));
        assertThat(marks(pod("userhook-0"))).as("a user's hook: only the label is added")
                .containsExactlyInAnyOrderEntriesOf(Map.of("label " + LABEL, LABEL_VALUE, HookAnnotations.COMMAND, USER_COMMAND));
        assertThat(marks(pod("userhook-1"))).as("a user's hook on a replica stays")
                .containsExactlyInAnyOrderEntriesOf(Map.of(HookAnnotations.COMMAND, USER_COMMAND));
        Waits.until(BOUND.plusSeconds(30), "selected-0 gets its hook", () -> marks(pod("selected-0")).equals(expectedMarks()));
        assertThat(pod("selected-1").getMetadata().getLabels()).as("a label the selector uses stays on the replica")
                .containsEntry(LABEL, LABEL_VALUE);

        String metrics = webhook.metrics();
        assertThat(Metrics.sum(metrics, "first_ordinal_repairs_total", "cause=\"missed_at_admission\"")).isGreaterThanOrEqualTo(12);
        assertThat(Metrics.sum(metrics, "first_ordinal_repairs_total", "cause=\"cleaned\"")).isGreaterThanOrEqualTo(1);
        assertThat(Metrics.sum(metrics, "first_ordinal_repair_unmarked_seconds_count", "cause=\"missed_at_admission\""))
                .isGreaterThanOrEqualTo(12);
        assertThat(Metrics.sum(metrics, "first_ordinal_repair_leader", "")).isEqualTo(1);
    }

    @Test
    @Order(2)
    void ofTwoReplicasExactlyOneRepairsAndWhenItIsKilledTheOtherTakesOver() throws Exception {
        webhook.stop(); // admission off: whatever gets marked now, a repairer marked
        List<ClusterWebhook.Replica> replicas = new ArrayList<>();
        try {
            replicas.add(webhook.startReplica("repair-a"));
            replicas.add(webhook.startReplica("repair-b"));
            String holder = Waits.until(LEASE.plusSeconds(30), "a repair Lease holder among the replicas", () -> {
                String h = leaseHolder();
                return "repair-a".equals(h) || "repair-b".equals(h) ? h : null;
            });
            ClusterWebhook.Replica leader = replicas.stream().filter(r -> r.podName().equals(holder)).findFirst().orElseThrow();
            ClusterWebhook.Replica standby = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();

            List<String> before = createUnmarked("two", 3);
            Waits.until(BOUND.plusSeconds(30), "3 first ordinals repaired by " + holder,
                    () -> before.stream().allMatch(name -> marks(pod(name)).equals(expectedMarks())));
            assertThat(repairs(leader)).as("repairs by the Lease holder %s", holder).isGreaterThanOrEqualTo(3);
            assertThat(repairs(standby)).as("repairs by the stand-by %s", standby.podName()).isZero();
            assertThat(Metrics.sum(leader.metrics(), "first_ordinal_repair_leader", "")).isEqualTo(1);
            assertThat(Metrics.sum(standby.metrics(), "first_ordinal_repair_leader", "")).isZero();

            long killed = System.nanoTime();
            leader.process().process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            List<String> after = createUnmarked("after", 3);
            Waits.until(LEASE.plus(BOUND).plusSeconds(30), "3 first ordinals repaired by " + standby.podName(),
                    () -> after.stream().allMatch(name -> marks(pod(name)).equals(expectedMarks())));
            long takeover = (System.nanoTime() - killed) / 1_000_000;
            System.err.printf("repair: holder %s killed; %s repaired the next 3 first ordinals %d ms later (Lease %d s)%n",
                    holder, standby.podName(), takeover, LEASE.toSeconds());
            assertThat(leaseHolder()).isEqualTo(standby.podName());
            assertThat(repairs(standby)).as("repairs by %s after the takeover", standby.podName()).isGreaterThanOrEqualTo(3);
            assertThat(takeover).isLessThanOrEqualTo(LEASE.plus(BOUND).toMillis());
        } finally {
            for (ClusterWebhook.Replica replica : replicas) {
                replica.close();
            }
        }
    }

    /** Creates {@code count} one-replica sets while admission is off (so only a repairer can mark them); their first pods. */
    private static List<String> createUnmarked(String prefix, int count) {
        List<String> firsts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, prefix + i, 1).build());
            firsts.add(prefix + i + "-0");
        }
        for (int i = 0; i < count; i++) {
            ClusterWorkloads.awaitPods(client, NS, prefix + i, 1);
        }
        return firsts;
    }

    private static double repairs(ClusterWebhook.Replica replica) throws Exception {
        return Metrics.sum(replica.metrics(), "first_ordinal_repairs_total", "cause=\"missed_at_admission\"");
    }

    private static String leaseHolder() {
        Lease lease = client.leases().inNamespace(ClusterWebhook.NAMESPACE).withName("first-ordinal-repair").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static String logQuietly() {
        try {
            return webhook.log();
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
