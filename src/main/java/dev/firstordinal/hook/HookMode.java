package dev.firstordinal.hook;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the backup hook lives.
 *
 * <ul>
 *   <li>{@link #ANNOTATIONS}: on each first-ordinal pod, as {@code pre.hook.backup.velero.io/*} annotations.
 *       Velero runs it in every backup that includes the pod, whoever made the backup.</li>
 *   <li>{@link #SCHEDULE}: in the Velero Schedule ({@code first-ordinal schedule} renders it). A first-ordinal
 *       pod gets only labels: the backup label and {@value ScheduleHook#CONTAINER_LABEL} naming the hook's
 *       container, which the Schedule's hook entries select on. Only backups made from that Schedule run it.</li>
 * </ul>
 */
public enum HookMode {
    ANNOTATIONS,
    SCHEDULE;

    /** The setting's spelling: {@code annotations} or {@code schedule}. */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static HookMode parse(String setting) {
        for (HookMode mode : values()) {
            if (mode.setting().equals(setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("hook mode must be one of "
                + Arrays.stream(values()).map(HookMode::setting).collect(Collectors.joining(", ")) + ", not '" + setting + "'");
    }
}
