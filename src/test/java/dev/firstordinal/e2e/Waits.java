package dev.firstordinal.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls for a condition the control plane reaches asynchronously (controllers, informers). */
final class Waits {

    private Waits() {
    }

    /** The first non-null, non-false value of {@code probe} within {@code timeout}, else an AssertionError naming {@code what}. */
    static <T> T until(Duration timeout, String what, Supplier<T> probe) {
        return until(timeout, () -> what, probe);
    }

    /** {@link #until(Duration, String, Supplier)} with a description made only on timeout (e.g. a log read then). */
    static <T> T until(Duration timeout, Supplier<String> what, Supplier<T> probe) {
        return until(timeout, Duration.ofMillis(100), what, probe);
    }

    /** {@link #until(Duration, String, Supplier)} probing every {@code interval} (for a probe that costs its target, e.g. a scrape). */
    static <T> T until(Duration timeout, Duration interval, Supplier<String> what, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get(), e);
            }
        }
    }

    /** Sleeps between two attempts of a check that is asserted, not probed. */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
