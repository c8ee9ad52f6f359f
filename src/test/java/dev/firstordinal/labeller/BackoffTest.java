package dev.firstordinal.labeller;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    @Test
    void doublesFromTheInitialDelayUntilTheCapWithTheRandomHalfAtItsLowest() {
        Backoff backoff = Backoff.standard(() -> 0.0);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(125));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(250));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.delay(4)).isEqualTo(Duration.ofMillis(2000));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofMillis(2500));
        assertThat(backoff.delay(50)).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void randomHalfNeverReachesTheFullDelay() {
        Backoff backoff = Backoff.standard(() -> 0.999_999);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(249));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(4999));
    }

    @Test
    void everyDelayLiesBetweenHalfAndAllOfTheCappedExponential() {
        java.util.Random random = new java.util.Random(42);
        Backoff backoff = Backoff.standard(random::nextDouble);
        for (int retry = 0; retry < 20; retry++) {
            long full = Math.min(5000, 250L << Math.min(retry, 10));
            assertThat(backoff.delay(retry).toMillis()).as("retry %d", retry).isBetween(full / 2, full - 1);
        }
    }

    @Test
    void rejectsARandomSourceOutsideZeroToOne() {
        assertThatThrownBy(() -> Backoff.standard(() -> 1.0).delay(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[0, 1)");
    }

    @Test
    void rejectsACapBelowTheInitialDelay() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
