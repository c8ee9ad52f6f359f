package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.Cleanup;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.patch.PodPatch;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans the patches that make live pods what the webhook would have made them. Pure.
 *
 * <ul>
 *   <li>A first-ordinal pod gets what {@link FirstOrdinalRule#decide} says it lacks, with the same
 *       {@link PodPatch#additions} patch the webhook sends, preceded by a {@code test} of the pod's
 *       resourceVersion (an {@code add} of a whole map must not replace one that appeared since).</li>
 *   <li>Every other ordinal loses what {@link Cleanup#of} says: the backup label, unless the
 *       StatefulSet's selector uses its key (that would orphan the pod; reported in
 *       {@link Plan#kept()} instead), and first-ordinal's own hook annotations (a user's hook stays).
 *       The {@link PodPatch#removals} patch tests the pod's resourceVersion and each value it can before removing it.</li>
 *   <li>A first-ordinal pod whose hook marks are first-ordinal's own but stale ({@link Decision#isStale}) gets
 *       {@link PodPatch#refresh}: the stale marks removed, the current ones added, guarded by its resourceVersion
 *       (a {@code test} of a hook value could never pass: the API server escapes {@code <>&}). A user's hook
 *       is never stale and never touched.</li>
 *   <li>Skipped StatefulSets ({@code first-ordinal.dev/skip}) are left alone.</li>
 * </ul>
 */
public final class Backfill {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Backfill() {
    }

    /**
     * @param fixes the patches, in StatefulSet then ordinal order
     * @param kept  one line per backup label left on an other ordinal because the selector uses it
     */
    public record Plan(List<PodFix> fixes, List<String> kept) {
        public Plan {
            fixes = List.copyOf(fixes);
            kept = List.copyOf(kept);
        }
    }

    public static Plan plan(List<ShardSnapshot> snapshots, FirstOrdinalRule rule) {
        List<PodFix> fixes = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (ShardSnapshot snapshot : snapshots) {
            if (CoverageCheck.of(snapshot, rule).state() == CoverageState.SKIPPED) {
                continue;
            }
            int start = StatefulSets.startOrdinal(snapshot.statefulSet());
            Map<String, String> selector = StatefulSets.selectorLabels(snapshot.statefulSet());
            StartOrdinalLookup ownStart = (namespace, statefulSet) -> StartOrdinalLookup.StartOrdinal.of(start);
            CoverageCheck.podsByOrdinal(snapshot).forEach((ordinal, pod) -> {
                if (ordinal == start) {
                    firstOrdinalFix(snapshot, pod, rule, ownStart).ifPresent(fixes::add);
                } else {
                    Cleanup cleanup = Cleanup.of(pod.getMetadata(), rule.policy(), selector);
                    if (cleanup.changesPod()) {
                        fixes.add(new PodFix(snapshot.namespace(), pod.getMetadata().getName(), PodFix.Action.REMOVE,
                                PodPatch.removals(pod.getMetadata().getResourceVersion(), cleanup.labelsToRemove(), cleanup.annotationsToRemove()),
                                removalDescription(cleanup), List.of()));
                    }
                    cleanup.keptSelectorLabels().forEach((key, value) -> kept.add(snapshot.namespace() + "/" + pod.getMetadata().getName()
                            + ": kept " + key + "=" + value + ": StatefulSet " + snapshot.name()
                            + " selects its pods on " + key + " (removing it would orphan the pod); change the selector to stop backing it up"));
                }
            });
        }
        return new Plan(fixes, kept);
    }

    private static java.util.Optional<PodFix> firstOrdinalFix(ShardSnapshot snapshot, Pod pod, FirstOrdinalRule rule,
                                                              StartOrdinalLookup ownStart) {
        Decision decision = rule.decide(pod, snapshot.namespace(), ownStart);
        if (decision.verdict() != Decision.Verdict.FIRST_ORDINAL || !decision.changesPod()) {
            return java.util.Optional.empty();
        }
        String resourceVersion = pod.getMetadata().getResourceVersion();
        if (decision.isStale()) {
            return java.util.Optional.of(new PodFix(snapshot.namespace(), pod.getMetadata().getName(), PodFix.Action.REFRESH,
                    PodPatch.refresh(resourceVersion, pod.getMetadata(), decision.staleLabels(), decision.staleAnnotations(),
                            decision.labelsToAdd(), decision.annotationsToAdd()),
                    refreshDescription(decision), decision.warnings()));
        }
        ArrayNode patch = NODES.arrayNode();
        if (resourceVersion != null) {
            patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", resourceVersion);
        }
        patch.addAll(PodPatch.additions(pod.getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd()));
        return java.util.Optional.of(new PodFix(snapshot.namespace(), pod.getMetadata().getName(), PodFix.Action.ADD, patch,
                additionDescription(decision), decision.warnings()));
    }

    private static String additionDescription(Decision decision) {
        List<String> parts = new ArrayList<>();
        decision.labelsToAdd().forEach((k, v) -> parts.add("label " + k + "=" + v));
        Map<String, String> annotations = decision.annotationsToAdd();
        if (!annotations.isEmpty()) {
            String container = annotations.get(HookAnnotations.CONTAINER);
            parts.add(annotations.size() + " hook annotations" + (container == null ? "" : " (container " + container + ")"));
        }
        return "add " + String.join(" and ", parts);
    }

    private static String refreshDescription(Decision decision) {
        List<String> parts = new ArrayList<>();
        decision.staleLabels().keySet().forEach(k -> parts.add("label " + k));
        if (!decision.staleAnnotations().isEmpty()) {
            parts.add(decision.staleAnnotations().size() + " first-ordinal hook annotations");
        }
        String added = decision.labelsToAdd().isEmpty() && decision.annotationsToAdd().isEmpty()
                ? "" : "; " + additionDescription(decision);
        return "refresh stale hook: remove " + String.join(" and ", parts) + added;
    }

    private static String removalDescription(Cleanup cleanup) {
        List<String> parts = new ArrayList<>();
        cleanup.labelsToRemove().forEach((k, v) -> parts.add("label " + k + "=" + v));
        if (!cleanup.annotationsToRemove().isEmpty()) {
            parts.add(cleanup.annotationsToRemove().size() + " first-ordinal hook annotations");
        }
        return "remove " + String.join(" and ", parts);
    }
}
