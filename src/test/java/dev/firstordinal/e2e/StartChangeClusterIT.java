package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live {@code spec.ordinals.start} changes, up and down, together with scale-ups by two and
 * scale-downs, on live sets: the StatefulSet controller creates the new first ordinal right after
 * the update, often before the webhook's informer has seen it. Every new first ordinal must be
 * marked <em>at admission</em>: its managedFields hold only the controller's create (a later patch,
 * e.g. by the repairer, would add an entry of its own), and no other ordinal carries a mark.
 */
@Tag("real-cluster")
class StartChangeClusterIT {

    private static final String NS = "e2e-start-change";
    private static final int SETS = 4;
    /** Each set's (start, replicas) after each change; every range is disjoint from the one before, so all its pods are new. */
    private static final int[][] STEPS = {{10, 3}, {3, 1}, {20, 3}, {6, 1}, {30, 3}};

    private static KubernetesClient client;

    @BeforeAll
    static void install() throws Exception {
        client = ClusterWebhook.shared().cluster().admin();
        ClusterWorkloads.namespace(client, NS, ClusterWorkloads.OPTED_IN);
    }

    /**
     * Start changes on a set of its own until one is marked at admission: the webhook may have just been
     * (re)started by another test, its cache still listing and its first GET paying for class loading and a
     * TLS handshake on a busy machine, and a GET over the 500 ms deadline stops GETs for 30 s (by design).
     */
    private static void warmUp() {
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, "warm", 1).build());
        ClusterWorkloads.awaitPods(client, NS, "warm", 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (int start = 100; ; start += 10) {
            int at = start;
            client.apps().statefulSets().inNamespace(NS).withName("warm").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"ordinals\":{\"start\":%d}}}".formatted(at));
            Pod first = ClusterWorkloads.awaitPods(client, NS, Map.of("app", "warm"), 1,
                    now -> ClusterWorkloads.ordinal(now.get(0).getMetadata().getName()) == at).get(0);
            if (markedAtAdmission(first)) {
                return;
            }
            assertThat(System.nanoTime()).as("a warm-up start change marked at admission within 90 s").isLessThan(deadline);
            Waits.pause(Duration.ofSeconds(5));
        }
    }

    @Test
    void everyNewFirstOrdinalOfALiveStartChangeIsMarkedAtAdmission() {
        warmUp();
        for (int s = 0; s < SETS; s++) {
            ClusterWorkloads.create(client, ClusterWorkloads.shard(NS, "mv" + s, 1).build());
        }
        for (int s = 0; s < SETS; s++) {
            ClusterWorkloads.awaitPods(client, NS, "mv" + s, 1);
        }
        List<String> unmarked = new ArrayList<>();
        int changes = 0;
        for (int[] step : STEPS) {
            for (int s = 0; s < SETS; s++) {
                String set = "mv" + s;
                client.apps().statefulSets().inNamespace(NS).withName(set).patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"replicas\":%d,\"ordinals\":{\"start\":%d}}}".formatted(step[1], step[0]));
                changes++;
                List<Pod> pods = ClusterWorkloads.awaitPods(client, NS, Map.of("app", set), step[1],
                        now -> now.stream().mapToLong(p -> ClusterWorkloads.ordinal(p.getMetadata().getName()))
                                .allMatch(o -> o >= step[0] && o < step[0] + step[1]));
                Pod first = pods.get(0);
                assertThat(first.getMetadata().getName()).isEqualTo(set + "-" + step[0]);
                if (!markedAtAdmission(first)) {
                    unmarked.add(first.getMetadata().getName() + " " + marks(first).keySet() + " managedFields "
                            + first.getMetadata().getManagedFields().stream().map(f -> f.getManager() + " " + f.getOperation()).toList());
                }
                for (Pod other : pods.subList(1, pods.size())) {
                    assertThat(marks(other)).as("%s is not the first ordinal", other.getMetadata().getName()).isEmpty();
                }
            }
        }
        System.err.printf("start changes: %d new first ordinals not marked at admission out of %d%n", unmarked.size(), changes);
        assertThat(unmarked).as("new first ordinals not marked at admission, out of %d start changes", changes).isEmpty();
    }

    /** The marks are there, and the only managedFields entry is the controller's create: added by admission, not patched later. */
    private static boolean markedAtAdmission(Pod pod) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        return marks(pod).equals(expected) && pod.getMetadata().getManagedFields().stream()
                .map(f -> f.getManager() + " " + f.getOperation()).toList().equals(List.of("kube-controller-manager Update"));
    }
}
