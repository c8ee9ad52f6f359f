package dev.firstordinal.hook;

/**
 * The pod side of {@link HookMode#SCHEDULE}: a Velero Schedule's hook entry ({@code hooks.resources[]}) names
 * one container, so each first-ordinal pod carries a label naming the container its hook must run in, and the
 * Schedule has one entry per container name, each selecting the backup label and this label's value.
 */
public final class ScheduleHook {

    /** Pod label: the container the Schedule's hook runs in (chosen by {@link HookContainer#choose}). */
    public static final String CONTAINER_LABEL = "first-ordinal.dev/hook-container";

    private ScheduleHook() {
    }
}
