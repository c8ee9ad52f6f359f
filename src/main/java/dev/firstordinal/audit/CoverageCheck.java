package dev.firstordinal.audit;

import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookMode;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.PodOrdinal;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Decides the {@link CoverageState} of one StatefulSet from a {@link ShardSnapshot}. Pure.
 *
 * <ul>
 *   <li><b>skipped</b>: the first-ordinal pod (or, when it is missing, the pod template) is left
 *       alone by {@link FirstOrdinalRule#leftAlone}: it has {@value FirstOrdinalRule#SKIP_ANNOTATION}{@code : "true"}
 *       or a replica-tier label;</li>
 *   <li><b>uncovered</b>: the first-ordinal pod ({@code <set>-<spec.ordinals.start>}) is missing
 *       (also when the set is scaled to 0: its volumes are then not backed up), or lacks the backup
 *       label, or has no hook, or its hook container is not one of its containers. A hook is a non-empty
 *       {@code pre.hook.backup.velero.io/command} (its container: the {@code pre.hook.backup.velero.io/container}
 *       annotation, else the first container, as Velero does); in schedule hook mode also the label
 *       {@value ScheduleHook#CONTAINER_LABEL} (its container: the label's value), which the Schedule's hook selects;</li>
 *   <li><b>stale</b>: the first-ordinal pod has the label and a hook, but the hook marks are first-ordinal's own
 *       and not the ones this version writes ({@link Decision#isStale}: another version's script, other
 *       settings, or the other hook mode);</li>
 *   <li><b>overcovered</b>: the first-ordinal pod is covered, and at least one other ordinal's pod
 *       carries the backup label (any value);</li>
 *   <li><b>covered</b>: otherwise.</li>
 * </ul>
 * A set that is both uncovered and has other ordinals labelled is <b>uncovered</b> (the shard's
 * data is not backed up), and one that is both stale and has other ordinals labelled is <b>stale</b>; the
 * labelled ordinals are still listed. The first-ordinal pod is
 * judged by {@link FirstOrdinalRule#decide}: whatever that rule would add is missing.
 */
public final class CoverageCheck {

    private CoverageCheck() {
    }

    public static ShardCoverage of(ShardSnapshot snapshot, FirstOrdinalRule rule) {
        StatefulSet set = snapshot.statefulSet();
        String name = snapshot.name();
        int start = StatefulSets.startOrdinal(set);
        int replicas = StatefulSets.replicas(set);
        String firstName = StatefulSets.podName(set, start);
        String labelKey = rule.policy().labelKey();

        Map<Integer, Pod> byOrdinal = podsByOrdinal(snapshot);
        Pod first = byOrdinal.get(start);
        List<Pod> alsoLabelled = new ArrayList<>();
        byOrdinal.forEach((ordinal, pod) -> {
            if (ordinal != start && labels(pod).containsKey(labelKey)) {
                alsoLabelled.add(pod);
            }
        });
        List<ShardCoverage.Claim> claims = claimNames(set, start, first).stream()
                .map(claim -> new ShardCoverage.Claim(claim, snapshot.claims().contains(claim)))
                .toList();

        List<String> problems = new ArrayList<>();
        CoverageState state;
        String backupLabel = null;
        boolean hook = false;
        String hookContainer = null;
        boolean hookContainerFound = false;
        String leftAlone = null;
        if (first == null) {
            leftAlone = rule.leftAlone(templateLabels(set), templateAnnotations(set)).orElse(null);
            if (leftAlone != null) {
                state = CoverageState.SKIPPED;
            } else {
                state = CoverageState.UNCOVERED;
                problems.add(replicas == 0
                        ? "scaled to 0 replicas: no first-ordinal pod " + firstName + ", so its volumes are not backed up"
                        : "first-ordinal pod " + firstName + " does not exist");
            }
        } else {
            Map<String, String> annotations = annotations(first);
            StartOrdinalLookup ownStart = (namespace, statefulSet) -> StartOrdinalLookup.StartOrdinal.of(start);
            Decision decision = rule.decide(first, snapshot.namespace(), ownStart);
            backupLabel = labels(first).get(labelKey);
            String command = annotations.get(HookAnnotations.COMMAND);
            String scheduleContainer = rule.policy().hook().mode() == HookMode.SCHEDULE
                    ? labels(first).get(ScheduleHook.CONTAINER_LABEL) : null;
            hook = command != null && !command.isBlank() || scheduleContainer != null;
            if (hook) {
                // Velero runs a pod's annotation hook instead of a Schedule's.
                hookContainer = command != null && !command.isBlank() ? hookContainer(first, annotations) : scheduleContainer;
                hookContainerFound = hookContainer != null && containerNames(first).contains(hookContainer);
            }
            if (decision.verdict() == Decision.Verdict.NOT_OURS) {
                leftAlone = rule.leftAlone(labels(first), annotations).orElse(null);
                state = leftAlone != null ? CoverageState.SKIPPED : CoverageState.UNCOVERED;
                if (state == CoverageState.UNCOVERED) {
                    problems.add(firstName + " is not treated as a first-ordinal pod: " + decision.reason());
                }
            } else {
                if (backupLabel == null) {
                    problems.add(firstName + " lacks the backup label " + labelKey);
                }
                if (!hook) {
                    problems.add(HookAnnotations.userHasHook(annotations)
                            ? firstName + " has " + HookAnnotations.PREFIX + " annotations but no command: no hook runs (--fix leaves a user's hook alone)"
                            : firstName + " has no backup hook (" + HookAnnotations.COMMAND + ")");
                }
                if (hook && !hookContainerFound) {
                    problems.add(firstName + ": hook container \"" + hookContainer + "\" does not exist (Velero fails the backup hook with no such container)");
                }
                state = problems.isEmpty() ? CoverageState.COVERED : CoverageState.UNCOVERED;
                if (state == CoverageState.COVERED && decision.isStale()) {
                    state = CoverageState.STALE;
                    problems.add(staleProblem(firstName, decision, rule));
                }
            }
        }
        if (state != CoverageState.SKIPPED && !alsoLabelled.isEmpty()) {
            Map<String, String> selector = StatefulSets.selectorLabels(set);
            for (Pod pod : alsoLabelled) {
                problems.add(pod.getMetadata().getName() + " also carries " + labelKey + "=" + labels(pod).get(labelKey)
                        + (selector.containsKey(labelKey) ? " (part of the StatefulSet's selector: never removed)" : ""));
            }
            if (state == CoverageState.COVERED) {
                state = CoverageState.OVERCOVERED;
            }
        }
        return new ShardCoverage(snapshot.namespace(), name, start, replicas, firstName, first != null, backupLabel, hook,
                hookContainer, hookContainerFound, alsoLabelled.stream().map(p -> p.getMetadata().getName()).toList(),
                claims, state, problems, leftAlone);
    }

    private static String staleProblem(String firstName, Decision decision, FirstOrdinalRule rule) {
        HookAnnotations hook = rule.policy().hook();
        if (hook.mode() == HookMode.SCHEDULE) {
            return firstName + ": stale hook: it carries first-ordinal's hook annotations, but the hook mode is schedule"
                    + " (the Velero Schedule holds the hook); --fix replaces them with the label " + ScheduleHook.CONTAINER_LABEL;
        }
        if (decision.staleAnnotations().isEmpty()) {
            return firstName + ": stale hook: it carries the schedule mode's label " + ScheduleHook.CONTAINER_LABEL
                    + " beside its hook annotations; --fix removes it";
        }
        String identity = decision.staleAnnotations().get(HookAnnotations.IDENTITY);
        return firstName + ": stale hook " + (identity == null ? "(no " + HookAnnotations.IDENTITY + ": an older version's)" : identity)
                + ", this version writes " + hook.identity() + "; --fix (or the self-repair) refreshes it";
    }

    /** The set's pods that have an ordinal, by ordinal. */
    static Map<Integer, Pod> podsByOrdinal(ShardSnapshot snapshot) {
        Map<Integer, Pod> byOrdinal = new TreeMap<>();
        for (Pod pod : snapshot.pods()) {
            if (pod.getMetadata() == null) {
                continue;
            }
            OptionalInt ordinal = PodOrdinal.of(pod.getMetadata(), snapshot.name());
            if (ordinal.isPresent()) {
                byOrdinal.put(ordinal.getAsInt(), pod);
            }
        }
        return byOrdinal;
    }

    private static List<String> claimNames(StatefulSet set, int start, Pod first) {
        if (first == null || first.getSpec() == null || first.getSpec().getVolumes() == null) {
            return StatefulSets.claimNames(set, start);
        }
        List<String> names = new ArrayList<>();
        for (Volume volume : first.getSpec().getVolumes()) {
            if (volume.getPersistentVolumeClaim() != null && volume.getPersistentVolumeClaim().getClaimName() != null) {
                names.add(volume.getPersistentVolumeClaim().getClaimName());
            }
        }
        return names;
    }

    /** The container Velero runs the hook in: the annotation's, else the pod's first container. */
    private static String hookContainer(Pod pod, Map<String, String> annotations) {
        String named = annotations.get(HookAnnotations.CONTAINER);
        if (named != null) {
            return named;
        }
        List<String> names = containerNames(pod);
        return names.isEmpty() ? null : names.get(0);
    }

    private static List<String> containerNames(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return List.of();
        }
        return pod.getSpec().getContainers().stream().map(Container::getName).toList();
    }

    private static Map<String, String> templateAnnotations(StatefulSet set) {
        PodTemplateSpec template = set.getSpec() == null ? null : set.getSpec().getTemplate();
        Map<String, String> annotations = template == null || template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private static Map<String, String> templateLabels(StatefulSet set) {
        PodTemplateSpec template = set.getSpec() == null ? null : set.getSpec().getTemplate();
        Map<String, String> labels = template == null || template.getMetadata() == null ? null : template.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    static Map<String, String> labels(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    static Map<String, String> annotations(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }
}
