package dev.firstordinal.ordinal;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookScript;
import dev.firstordinal.hook.ScheduleHook;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What must come off a pod that is <em>not</em> its StatefulSet's first ordinal but carries
 * first-ordinal's marks (over-coverage), for the modes that fix live pods (label-self, backfill).
 * The webhook never removes anything.
 *
 * <p>Rules: the backup label is removed unless its key is part of the StatefulSet's selector
 * (removing it would orphan the pod; it is reported in {@link #keptSelectorLabels()} instead).
 * Hook annotations are removed only when the command is first-ordinal's own; a user's hook stays. The schedule
 * mode's {@value ScheduleHook#CONTAINER_LABEL} is first-ordinal's own and always removed.
 *
 * @param labelsToRemove      labels to remove, with the value they have now
 * @param annotationsToRemove annotations to remove, with the value they have now
 * @param keptSelectorLabels  backup labels left in place because the StatefulSet selects on them
 */
public record Cleanup(Map<String, String> labelsToRemove, Map<String, String> annotationsToRemove,
                      Map<String, String> keptSelectorLabels) {

    public static Cleanup of(ObjectMeta metadata, MarkingPolicy policy, Map<String, String> selectorLabels) {
        Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
        Map<String, String> annotations = metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations();
        Map<String, String> labelsToRemove = new LinkedHashMap<>();
        Map<String, String> kept = new LinkedHashMap<>();
        String key = policy.labelKey();
        if (labels.containsKey(key)) {
            if (selectorLabels != null && selectorLabels.containsKey(key)) {
                kept.put(key, labels.get(key));
            } else {
                labelsToRemove.put(key, labels.get(key));
            }
        }
        if (labels.containsKey(ScheduleHook.CONTAINER_LABEL)) {
            labelsToRemove.put(ScheduleHook.CONTAINER_LABEL, labels.get(ScheduleHook.CONTAINER_LABEL));
        }
        Map<String, String> annotationsToRemove = new LinkedHashMap<>();
        if (HookScript.isOurs(annotations.get(HookAnnotations.COMMAND))) {
            for (String hookKey : HookAnnotations.OWN_KEYS) {
                if (annotations.containsKey(hookKey)) {
                    annotationsToRemove.put(hookKey, annotations.get(hookKey));
                }
            }
        }
        return new Cleanup(labelsToRemove, annotationsToRemove, kept);
    }

    public boolean changesPod() {
        return !labelsToRemove.isEmpty() || !annotationsToRemove.isEmpty();
    }

    public List<String> removedKeys() {
        return java.util.stream.Stream.concat(labelsToRemove.keySet().stream(), annotationsToRemove.keySet().stream()).toList();
    }
}
