package dev.firstordinal.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A negative cache for one thing only: "the API server could not be reached". After a read that
 * got no HTTP answer at all (connection refused, unknown host, TLS failure, deadline passed), the
 * window stays shut for {@link #length()}: no read is tried until it has passed. It is global, not
 * per StatefulSet: an unreachable API server is unreachable for every set, so it costs one attempt
 * per window rather than one per review. An HTTP answer (404, 403, 500) says the server is there
 * and opens nothing here.
 *
 * <p>Thread-safe; exactly one of several concurrent failures is told that it opened the window, so
 * that one log line is written per window.
 */
final class UnreachableWindow {

    private final Clock clock;
    private final Duration length;
    /** End of the current window; {@link Instant#MIN}: none. */
    private final AtomicReference<Instant> until = new AtomicReference<>(Instant.MIN);

    UnreachableWindow(Clock clock, Duration length) {
        this.clock = clock;
        this.length = length;
    }

    /** How long reads are skipped after the API server could not be reached. */
    Duration length() {
        return length;
    }

    /** Whether a window is running now: the caller must not try to reach the API server. */
    boolean skipping() {
        return clock.instant().isBefore(until.get());
    }

    /**
     * Notes that the API server could not be reached. Returns true only to the caller whose failure
     * opened a new window (false while one runs), for it to log once.
     */
    boolean unreachable() {
        Instant now = clock.instant();
        Instant current = until.get();
        return !now.isBefore(current) && until.compareAndSet(current, now.plus(length));
    }
}
