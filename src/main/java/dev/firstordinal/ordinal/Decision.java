package dev.firstordinal.ordinal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What first-ordinal makes of one pod.
 *
 * @param verdict          whether the pod is its StatefulSet's first ordinal, another ordinal, or not ours
 * @param reason           a short, human-readable reason (for logs and audit output)
 * @param statefulSet      the controlling StatefulSet, when there is one
 * @param ordinal          the pod's ordinal, when it has one
 * @param labelsToAdd      labels the pod lacks and must get (never one it already has)
 * @param annotationsToAdd annotations the pod lacks and must get (never one it already has)
 * @param warnings         things the user should know, returned as AdmissionResponse warnings
 * @param startOrdinalGuessed whether the StatefulSet's start ordinal was a guess (the lookup could not
 *                         read it and fell back, see {@link StartOrdinalLookup.StartOrdinal#guessed}); the
 *                         webhook counts these answers as {@code fallback}
 * @param staleLabels      first-ordinal's own labels on the pod that this version's hook mode does not write (the
 *                         schedule mode's container label in annotations mode), with their values: to be removed
 * @param staleAnnotations first-ordinal's own hook annotations that are not what this version writes (see
 *                         {@link dev.firstordinal.hook.HookAnnotations#stale}), with their values: to be removed before
 *                         {@code annotationsToAdd} is added (which then holds the current hook)
 */
public record Decision(Verdict verdict, String reason, Optional<String> statefulSet, OptionalInt ordinal,
                       Map<String, String> labelsToAdd, Map<String, String> annotationsToAdd, List<String> warnings,
                       boolean startOrdinalGuessed, Map<String, String> staleLabels, Map<String, String> staleAnnotations) {

    public enum Verdict {
        /** The first-ordinal pod of its StatefulSet: it must carry the label and the hook. */
        FIRST_ORDINAL,
        /** Another ordinal of a StatefulSet: it must not carry first-ordinal's label or hook. */
        OTHER_ORDINAL,
        /** Not a StatefulSet pod first-ordinal looks after (or opted out): left alone. */
        NOT_OURS
    }

    public Decision {
        labelsToAdd = Map.copyOf(labelsToAdd);
        annotationsToAdd = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotationsToAdd));
        warnings = List.copyOf(warnings);
        staleLabels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(staleLabels));
        staleAnnotations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(staleAnnotations));
    }

    /** A decision that finds nothing stale. */
    public Decision(Verdict verdict, String reason, Optional<String> statefulSet, OptionalInt ordinal,
                    Map<String, String> labelsToAdd, Map<String, String> annotationsToAdd, List<String> warnings,
                    boolean startOrdinalGuessed) {
        this(verdict, reason, statefulSet, ordinal, labelsToAdd, annotationsToAdd, warnings, startOrdinalGuessed, Map.of(), Map.of());
    }

    /** A decision made with a known (not guessed) start ordinal. */
    public Decision(Verdict verdict, String reason, Optional<String> statefulSet, OptionalInt ordinal,
                    Map<String, String> labelsToAdd, Map<String, String> annotationsToAdd, List<String> warnings) {
        this(verdict, reason, statefulSet, ordinal, labelsToAdd, annotationsToAdd, warnings, false);
    }

    static Decision notOurs(String reason) {
        return new Decision(Verdict.NOT_OURS, reason, Optional.empty(), OptionalInt.empty(), Map.of(), Map.of(), List.of());
    }

    /** Whether the pod must change: something is to be added, or a stale mark of first-ordinal's to be refreshed. */
    public boolean changesPod() {
        return !labelsToAdd.isEmpty() || !annotationsToAdd.isEmpty() || isStale();
    }

    /**
     * What admission adds to a pod being created (the webhook; policy mode's CEL makes the same choice): this
     * decision without refreshes. A pod created with first-ordinal's own stale hook annotations (an old pod's
     * manifest copied into a template) keeps them and gets no hook mark, as a pod with any hook does, and a stale
     * container label stays; the self-repair and {@code audit --fix} refresh them once the pod exists.
     */
    public Decision atAdmission() {
        if (!isStale()) {
            return this;
        }
        Map<String, String> labels = new java.util.LinkedHashMap<>(labelsToAdd);
        Map<String, String> annotations = annotationsToAdd;
        if (!staleAnnotations.isEmpty()) {
            labels.remove(dev.firstordinal.hook.ScheduleHook.CONTAINER_LABEL);
            annotations = Map.of();
        }
        return new Decision(verdict, reason, statefulSet, ordinal, labels, annotations, warnings, startOrdinalGuessed);
    }

    /** Whether the pod carries first-ordinal marks of another version or hook mode (see {@link #staleAnnotations}). */
    public boolean isStale() {
        return !staleLabels.isEmpty() || !staleAnnotations.isEmpty();
    }
}
