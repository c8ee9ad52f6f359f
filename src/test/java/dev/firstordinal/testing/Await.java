package dev.firstordinal.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls for a condition that an informer or a background loop reaches asynchronously. */
public final class Await {

    private Await() {
    }

    /** Returns once {@code condition} holds; an AssertionError after {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
