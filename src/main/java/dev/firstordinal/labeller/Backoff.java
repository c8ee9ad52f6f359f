package dev.firstordinal.labeller;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with "equal jitter": the n-th wait (n from 0) is drawn uniformly from
 * {@code [d/2, d)} where {@code d = min(cap, initial * 2^n)}. Half the delay is kept so that
 * retries never bunch up; the random half spreads the init containers of a StatefulSet that all
 * restart at once after an API server outage.
 *
 * <p>Pure: the randomness is injected (a source of doubles in {@code [0, 1)}).
 */
public record Backoff(Duration initial, Duration cap, DoubleSupplier random) {

    /** 250 ms, 500 ms, 1 s, 2 s, 4 s, 5 s, 5 s, ... (each less up to half of it, at random). */
    public static Backoff standard(DoubleSupplier random) {
        return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), random);
    }

    public Backoff {
        if (initial.isNegative() || initial.isZero() || cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= cap, got " + initial + " and " + cap);
        }
    }

    /** The wait before retry number {@code retry} (0 for the first retry). */
    public Duration delay(int retry) {
        long capMillis = cap.toMillis();
        long millis = initial.toMillis();
        for (int i = 0; i < retry && millis < capMillis; i++) {
            millis *= 2;
        }
        millis = Math.min(millis, capMillis);
        double r = random.getAsDouble();
        if (r < 0 || r >= 1) {
            throw new IllegalStateException("random source must give values in [0, 1), gave " + r);
        }
        long half = millis / 2;
        return Duration.ofMillis(half + (long) (r * (millis - half)));
    }
}
