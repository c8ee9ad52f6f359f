package dev.firstordinal.testing;

import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;

/**
 * Shards in a (mock) cluster in the states the audit tells apart: pods the webhook marked, pods
 * created before it existed, pods marked by mistake.
 */
public final class Shards {

    public static final FirstOrdinalRule RULE = new FirstOrdinalRule(MarkingPolicy.defaults());
    public static final Map<String, String> OPTED_IN = Map.of("first-ordinal.dev/backup", "enabled");

    private Shards() {
    }

    /** The pod of an ordinal as the webhook would have admitted it: marked when it is the first ordinal. */
    public static Pod admitted(StatefulSet set, int ordinal) {
        return mark(Workloads.pod(set, ordinal), set, StatefulSets.startOrdinal(set));
    }

    /** The pod with what the rule adds to a first ordinal, whatever its ordinal (over-coverage). */
    public static Pod markedAnyway(StatefulSet set, int ordinal) {
        return mark(Workloads.pod(set, ordinal), set, ordinal);
    }

    private static Pod mark(Pod pod, StatefulSet set, int start) {
        Decision decision = RULE.decide(pod, set.getMetadata().getNamespace(),
                (ns, name) -> StartOrdinalLookup.StartOrdinal.of(start));
        return new PodBuilder(pod).editMetadata()
                .addToLabels(decision.labelsToAdd())
                .addToAnnotations(decision.annotationsToAdd())
                .endMetadata().build();
    }

    /** Creates the set, the pods, and a claim for each pod's {@code data} volume. */
    public static void create(KubernetesClient client, StatefulSet set, Pod... pods) {
        client.resource(set).create();
        for (Pod pod : pods) {
            client.resource(pod).create();
            client.resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                    .withNamespace(pod.getMetadata().getNamespace())
                    .withName("data-" + pod.getMetadata().getName())
                    .withLabels(set.getSpec().getSelector().getMatchLabels())
                    .endMetadata().build()).create();
        }
    }

    /** A covered, an uncovered and an overcovered StatefulSet, as the issue describes, in {@code namespace}. */
    public static void coveredUncoveredOvercovered(KubernetesClient client, String namespace) {
        StatefulSet covered = Workloads.redis(namespace, "cache-a", 2, null);
        StatefulSet uncovered = Workloads.redis(namespace, "cache-b", 2, null);
        StatefulSet overcovered = Workloads.redis(namespace, "cache-c", 3, null);
        create(client, covered, admitted(covered, 0), admitted(covered, 1));
        create(client, uncovered, Workloads.pod(uncovered, 0), Workloads.pod(uncovered, 1));
        create(client, overcovered, admitted(overcovered, 0), markedAnyway(overcovered, 1), admitted(overcovered, 2));
    }
}
