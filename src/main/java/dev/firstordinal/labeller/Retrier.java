package dev.firstordinal.labeller;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs an idempotent task until it succeeds, fails for good, or the deadline passes.
 *
 * <p>An {@link ApiFailure} whose kind is retryable (transient errors, conflicts) is retried after a
 * {@link Backoff} delay, or after the server's {@code Retry-After} when that is longer; every
 * other failure ends the loop at once. No wait runs past the deadline, and no new attempt starts
 * after it. Time and sleep are injected so the policy is tested without waiting.
 */
public final class Retrier {

    /** Sleeps for a duration; {@link Thread#sleep(long)} in production. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Why the task did not succeed; the last failure's message says what went wrong. */
    public static final class GaveUp extends Exception {
        private final ApiFailure last;
        private final int attempts;

        GaveUp(String message, ApiFailure last, int attempts) {
            super(message, last);
            this.last = last;
            this.attempts = attempts;
        }

        public ApiFailure last() {
            return last;
        }

        public int attempts() {
            return attempts;
        }
    }

    private final Backoff backoff;
    private final Duration timeout;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final Consumer<String> log;

    public Retrier(Backoff backoff, Duration timeout, LongSupplier nanoClock, Sleeper sleeper, Consumer<String> log) {
        this.backoff = backoff;
        this.timeout = timeout;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.log = log;
    }

    public <T> T run(Supplier<T> task) throws GaveUp, InterruptedException {
        long deadline = nanoClock.getAsLong() + timeout.toNanos();
        int retries = 0;
        while (true) {
            try {
                return task.get();
            } catch (ApiFailure failure) {
                int attempts = retries + 1;
                if (!failure.kind().retryable()) {
                    throw new GaveUp(failure.getMessage(), failure, attempts);
                }
                long remaining = deadline - nanoClock.getAsLong();
                if (remaining <= 0) {
                    throw new GaveUp("still failing after " + attempts + " attempt" + (attempts == 1 ? "" : "s")
                            + " within the " + seconds(timeout) + " timeout; last error: " + failure.getMessage(), failure, attempts);
                }
                Duration delay = backoff.delay(retries);
                if (failure.retryAfter().isPresent() && failure.retryAfter().get().compareTo(delay) > 0) {
                    delay = failure.retryAfter().get();
                }
                if (delay.toNanos() > remaining) {
                    delay = Duration.ofNanos(remaining);
                }
                log.accept("attempt " + attempts + " failed (" + failure.kind().name().toLowerCase() + "): "
                        + failure.getMessage() + "; retrying in " + delay.toMillis() + " ms");
                sleeper.sleep(delay);
                retries++;
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
