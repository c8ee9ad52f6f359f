package dev.firstordinal.hook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The pre-backup hook: a POSIX {@code sh} script that starts a Redis BGSAVE and waits until a
 * fresh RDB is on disk. This class is the only place the script is turned into the argv that goes
 * into {@code pre.hook.backup.velero.io/command}.
 *
 * <p>The script gives up on its own a little before Velero's timeout, so that the backup shows
 * the script's message rather than Velero's kill.
 */
public final class HookScript {

    static final String RESOURCE = "/dev/firstordinal/hook/bgsave-wait.sh";
    static final String DEADLINE_TOKEN = "@@DEADLINE_SECONDS@@";
    /** Marks a hook command as first-ordinal's own, so cleanup never removes a user's hook. */
    public static final String SIGNATURE = "first-ordinal hook";

    private static final String TEMPLATE = stripComments(load());

    private HookScript() {
    }

    /** {@code ["/bin/sh", "-c", script]} for a Velero hook with the given timeout. */
    public static List<String> argv(Duration veleroTimeout) {
        return List.of("/bin/sh", "-c", script(veleroTimeout));
    }

    public static String script(Duration veleroTimeout) {
        return TEMPLATE.replace(DEADLINE_TOKEN, Long.toString(deadlineSeconds(veleroTimeout)));
    }

    /**
     * The script's own deadline: the Velero timeout less a tenth of it, at least 2 s and at most
     * 30 s, and never below 1 s.
     */
    static long deadlineSeconds(Duration veleroTimeout) {
        long timeout = veleroTimeout.toSeconds();
        long margin = Math.min(30, Math.max(2, timeout / 10));
        return Math.max(1, timeout - margin);
    }

    /** Whether a hook command was written by first-ordinal (and may be removed by cleanup). */
    public static boolean isOurs(String command) {
        return command != null && command.contains(SIGNATURE);
    }

    private static String load() {
        try (InputStream in = HookScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("hook script " + RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Comment-only and blank lines are dropped to keep the annotation small. */
    static String stripComments(String script) {
        return script.lines()
                .filter(line -> !line.isBlank() && !line.stripLeading().startsWith("#"))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
