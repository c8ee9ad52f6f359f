package dev.firstordinal.ordinal;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookContainer;
import dev.firstordinal.hook.HookMode;
import dev.firstordinal.hook.ScheduleHook;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one decision every mode (webhook, label-self, backfill, preview) makes: is this pod the
 * first ordinal of its StatefulSet, and what must be added to it?
 *
 * <p>The first-ordinal rule: a pod is marked when its controller ownerReference is an
 * {@code apps/v1} StatefulSet and its ordinal (see {@link PodOrdinal}) equals that StatefulSet's
 * {@code spec.ordinals.start} (0 when unset), unless it is left alone (see {@link #leftAlone}): it
 * carries {@value #SKIP_ANNOTATION}{@code : "true"}, or a label of the policy's {@link ReplicaTier}
 * (Bitnami's {@code app.kubernetes.io/component: replica}), whose shard is backed up through its
 * master set.
 *
 * <p>Contract:
 * <ul>
 *   <li>Pure: no I/O beyond the {@link StartOrdinalLookup} it is handed. When the lookup's answer rules the
 *       pod's ordinal out ({@link StartOrdinalLookup.StartOrdinal#ruledOut}: a cache that has not seen the
 *       set's latest start or scale), the start is read again through {@link StartOrdinalLookup#reread}.</li>
 *   <li>Additive: never overwrites or removes a label or annotation the pod has, except first-ordinal's own
 *       stale hook marks ({@link Decision#staleAnnotations}, {@link Decision#staleLabels}): a hook first-ordinal
 *       wrote that is not the one this version, with these settings and this {@link HookMode}, writes.</li>
 *   <li>The user wins: if the pod has any {@code pre.hook.backup.velero.io/*} annotation that first-ordinal did
 *       not write, no hook mark is added (the label still is) and nothing of it is ever changed.</li>
 *   <li>Hook mode: in {@link HookMode#ANNOTATIONS} the hook is added as annotations
 *       ({@link HookAnnotations#forContainer}); in {@link HookMode#SCHEDULE} as the label
 *       {@value ScheduleHook#CONTAINER_LABEL} naming the hook's container, which the Velero Schedule selects.</li>
 *   <li>Idempotent: a pod that already has everything yields a decision that changes nothing, so
 *       the webhook may be re-invoked on its own output.</li>
 * </ul>
 */
public final class FirstOrdinalRule {

    /** Pod (template) annotation: {@code "true"} leaves the pod alone entirely. */
    public static final String SKIP_ANNOTATION = "first-ordinal.dev/skip";
    /** Pod (template) annotation: overrides the backup label's value for one workload. */
    public static final String SCHEDULE_ANNOTATION = "first-ordinal.dev/schedule";

    private final MarkingPolicy policy;

    public FirstOrdinalRule(MarkingPolicy policy) {
        this.policy = policy;
    }

    public MarkingPolicy policy() {
        return policy;
    }

    /**
     * @param pod       the pod as it is (for the webhook: as it will be created)
     * @param namespace the pod's namespace (the admission request's, since a pod being created may
     *                  not have {@code metadata.namespace} set)
     * @param starts    where StatefulSets' start ordinals come from
     */
    public Decision decide(Pod pod, String namespace, StartOrdinalLookup starts) {
        ObjectMeta metadata = pod == null ? null : pod.getMetadata();
        if (metadata == null) {
            return Decision.notOurs("pod has no metadata");
        }
        Map<String, String> annotations = orEmpty(metadata.getAnnotations());
        Optional<String> leftAlone = leftAlone(metadata.getLabels(), annotations);
        if (leftAlone.isPresent()) {
            return Decision.notOurs(leftAlone.get());
        }
        Optional<StatefulSetOwner> owner = StatefulSetOwner.controllerOf(metadata);
        if (owner.isEmpty()) {
            return Decision.notOurs("pod is not controlled by a StatefulSet");
        }
        String statefulSet = owner.get().name();
        OptionalInt ordinal = PodOrdinal.of(metadata, statefulSet);
        if (ordinal.isEmpty()) {
            return Decision.notOurs("pod name '" + metadata.getName() + "' has no ordinal after '" + statefulSet + "-'");
        }
        StartOrdinalLookup.StartOrdinal start = starts.startOrdinal(namespace, statefulSet);
        if (start.ruledOut(ordinal.getAsInt())) {
            start = starts.reread(namespace, statefulSet, start);
        }
        List<String> warnings = new ArrayList<>();
        start.warning().ifPresent(warnings::add);
        if (ordinal.getAsInt() != start.value()) {
            return new Decision(Decision.Verdict.OTHER_ORDINAL,
                    "ordinal " + ordinal.getAsInt() + " is not the first ordinal " + start.value(),
                    Optional.of(statefulSet), ordinal, Map.of(), Map.of(), warnings, start.warning().isPresent());
        }

        Map<String, String> labels = new LinkedHashMap<>();
        if (!orEmpty(metadata.getLabels()).containsKey(policy.labelKey())) {
            labels.put(policy.labelKey(), labelValue(metadata.getName(), annotations, warnings));
        }
        Map<String, String> staleAnnotations = policy.hook().stale(annotations);
        Map<String, String> staleLabels = staleLabels(orEmpty(metadata.getLabels()));
        Map<String, String> remaining = new LinkedHashMap<>(annotations);
        remaining.keySet().removeAll(staleAnnotations.keySet());
        Map<String, String> hook = new LinkedHashMap<>();
        if (!HookAnnotations.userHasHook(remaining)) {
            Optional<HookContainer.Choice> container = HookContainer.choose(
                    metadata.getName(), pod.getSpec() == null ? null : pod.getSpec().getContainers(), annotations);
            if (container.isPresent()) {
                container.get().warning().ifPresent(warnings::add);
                if (policy.hook().mode() == HookMode.SCHEDULE) {
                    if (!orEmpty(metadata.getLabels()).containsKey(ScheduleHook.CONTAINER_LABEL)) {
                        labels.put(ScheduleHook.CONTAINER_LABEL, container.get().container());
                    }
                } else {
                    hook.putAll(policy.hook().forContainer(container.get().container()));
                }
            } else {
                warnings.add("first-ordinal: pod " + metadata.getName() + " has no containers; no backup hook added");
            }
        }
        return new Decision(Decision.Verdict.FIRST_ORDINAL, "first ordinal " + start.value(),
                Optional.of(statefulSet), ordinal, labels, hook, warnings, start.warning().isPresent(), staleLabels, staleAnnotations);
    }

    /** The schedule mode's container label is stale in annotations mode (the annotations name the container). */
    private Map<String, String> staleLabels(Map<String, String> labels) {
        if (policy.hook().mode() == HookMode.ANNOTATIONS && labels.containsKey(ScheduleHook.CONTAINER_LABEL)) {
            return Map.of(ScheduleHook.CONTAINER_LABEL, labels.get(ScheduleHook.CONTAINER_LABEL));
        }
        return Map.of();
    }

    /**
     * Why a pod (or a pod template) with these labels and annotations is left alone whatever its
     * ordinal, or empty when it is not: the skip annotation, or a replica-tier label. Audit calls
     * such a StatefulSet skipped.
     */
    public Optional<String> leftAlone(Map<String, String> labels, Map<String, String> annotations) {
        if (annotations != null && "true".equals(annotations.get(SKIP_ANNOTATION))) {
            return Optional.of("pod has " + SKIP_ANNOTATION + "=true");
        }
        return policy.replicaTier().match(labels).map(label -> "replica tier (pod label " + label
                + "): the shard is backed up through its master set; first-ordinal.replica-tier-labels changes this");
    }

    private String labelValue(String podName, Map<String, String> annotations, List<String> warnings) {
        String override = annotations.get(SCHEDULE_ANNOTATION);
        if (override == null) {
            return policy.labelValue();
        }
        if (MarkingPolicy.isLabelValue(override)) {
            return override;
        }
        warnings.add("first-ordinal: pod " + podName + ": " + SCHEDULE_ANNOTATION + " value '" + override
                + "' is not a valid label value; using '" + policy.labelValue() + "'");
        return policy.labelValue();
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
