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

    /** The shortest Velero timeout the hook accepts: a 2 s margin and 1 s to run. */
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(3);

    /**
     * The script's own deadline: the Velero timeout less a tenth of it, at least 2 s and at most
     * 30 s. The margin covers the script's last call being cut off and its exit; a timeout below
     * {@link #MIN_TIMEOUT} would leave no margin or no time to run, and is refused.
     */
    static long deadlineSeconds(Duration veleroTimeout) {
        if (veleroTimeout.compareTo(MIN_TIMEOUT) < 0) {
            throw new IllegalArgumentException("hook timeout " + veleroTimeout.toMillis() + "ms is too short: the hook needs at least "
                    + MIN_TIMEOUT.toSeconds() + "s (a 2s margin before Velero's kill and 1s to run)");
        }
        long timeout = veleroTimeout.toSeconds();
        long margin = Math.min(30, Math.max(2, timeout / 10));
        return timeout - margin;
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

    /**
     * Comment-only and blank lines and leading indentation are dropped to keep the annotation
     * small (the script has no heredocs and no multi-line strings, so indentation carries no
     * meaning).
     */
    static String stripComments(String script) {
        return script.lines()
                .map(String::stripLeading)
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
