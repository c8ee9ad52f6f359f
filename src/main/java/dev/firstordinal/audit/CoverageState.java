package dev.firstordinal.audit;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Whether a StatefulSet has exactly one pod marked for backup: its first ordinal's. */
public enum CoverageState {
    /** The first-ordinal pod has the backup label, a hook command and the hook's container; no other ordinal has the label. */
    COVERED,
    /** The first-ordinal pod is missing, or lacks the label, the hook command, or the hook's container. */
    UNCOVERED,
    /** The first-ordinal pod is covered, and another ordinal carries the backup label too. */
    OVERCOVERED,
    /**
     * The first-ordinal pod is covered, but by a hook of first-ordinal's that is not the one this version writes
     * (another version, other settings, or the other hook mode): {@code audit --fix} and the self-repair refresh it.
     */
    STALE,
    /**
     * The first-ordinal pod (or, when it is missing, the pod template) has {@code first-ordinal.dev/skip: "true"}
     * or a replica-tier label ({@code first-ordinal.replica-tier-labels}).
     */
    SKIPPED;

    /** The lower-case name used in tables, JSON and metric labels. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isProblem() {
        return this == UNCOVERED || this == OVERCOVERED || this == STALE;
    }
}
