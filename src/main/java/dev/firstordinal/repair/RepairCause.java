package dev.firstordinal.repair;

import java.util.Locale;

/** Why the repairer changed a pod (the {@code cause} label of its metrics). */
public enum RepairCause {
    /** A first-ordinal pod created without its marks: the webhook was down (fail open), not installed yet, or misjudged it. */
    MISSED_AT_ADMISSION,
    /** A pod that became its set's first ordinal after it was created: {@code spec.ordinals.start} moved onto it. */
    START_CHANGED,
    /** first-ordinal's marks removed from a pod that is no longer (or never was) its set's first ordinal. */
    CLEANED,
    /** first-ordinal's hook marks on a first-ordinal pod refreshed: written by another version, settings or hook mode. */
    STALE_HOOK;

    /** The lower-case name used in metric labels and logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
