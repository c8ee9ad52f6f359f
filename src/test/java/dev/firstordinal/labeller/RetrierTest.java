package dev.firstordinal.labeller;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrierTest {

    private final FakeTime time = new FakeTime();
    private final List<String> log = new ArrayList<>();

    private Retrier retrier(Duration timeout) {
        return new Retrier(Backoff.standard(() -> 0.0), timeout, time::nanoTime, time, log::add);
    }

    private static ApiFailure transientFailure() {
        return new ApiFailure(ApiFailure.Kind.TRANSIENT, "get pods/redis-0: HTTP 503: unavailable");
    }

    @Test
    void retriesTransientFailuresWithGrowingDelaysThenReturnsTheResult() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        String result = retrier(Duration.ofSeconds(60)).run(() -> {
            if (calls.incrementAndGet() <= 3) {
                throw transientFailure();
            }
            return "patched";
        });

        assertThat(result).isEqualTo("patched");
        assertThat(calls).hasValue(4);
        assertThat(time.sleeps).containsExactly(Duration.ofMillis(125), Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(log).hasSize(3).first().asString()
                .isEqualTo("attempt 1 failed (transient): get pods/redis-0: HTTP 503: unavailable; retrying in 125 ms");
    }

    @Test
    void returnsAtOnceWithoutSleepingWhenTheFirstAttemptSucceeds() throws Exception {
        assertThat(retrier(Duration.ofSeconds(60)).run(() -> 7)).isEqualTo(7);
        assertThat(time.sleeps).isEmpty();
        assertThat(log).isEmpty();
    }

    @Test
    void retriesConflictsAsWell() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        retrier(Duration.ofSeconds(60)).run(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new ApiFailure(ApiFailure.Kind.CONFLICT, "patch pods/redis-0: the object changed meanwhile (422)");
            }
            return true;
        });

        assertThat(calls).hasValue(2);
    }

    @Test
    void givesUpAtOnceOnAFailureRetryingCannotFix() {
        AtomicInteger calls = new AtomicInteger();
        ApiFailure forbidden = new ApiFailure(ApiFailure.Kind.FORBIDDEN, "RBAC: the ServiceAccount needs \"patch\" on \"pods\"");

        assertThatThrownBy(() -> retrier(Duration.ofSeconds(60)).run(() -> {
            calls.incrementAndGet();
            throw forbidden;
        }))
                .isInstanceOfSatisfying(Retrier.GaveUp.class, gaveUp -> {
                    assertThat(gaveUp.last()).isSameAs(forbidden);
                    assertThat(gaveUp.attempts()).isEqualTo(1);
                })
                .hasMessage("RBAC: the ServiceAccount needs \"patch\" on \"pods\"");
        assertThat(calls).hasValue(1);
        assertThat(time.sleeps).isEmpty();
    }

    @Test
    void givesUpAfterTheTimeoutWithTheLastErrorAndNeverSleepsPastIt() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retrier(Duration.ofSeconds(10)).run(() -> {
            calls.incrementAndGet();
            throw transientFailure();
        }))
                .isInstanceOf(Retrier.GaveUp.class)
                .hasMessageStartingWith("still failing after " + calls.get() + " attempts within the 10 s timeout; last error: ")
                .hasMessageEndingWith("HTTP 503: unavailable");
        // 125 + 250 + 500 + 1000 + 2000 + 2500 + 2500 = 8875 ms; another 2500 would pass 10 s, so the last wait is 1125 ms.
        assertThat(time.sleeps).endsWith(Duration.ofMillis(2500), Duration.ofMillis(1125));
        assertThat(time.slept()).isEqualTo(Duration.ofSeconds(10));
        assertThat(calls).hasValue(time.sleeps.size() + 1);
    }

    @Test
    void waitsForTheServersRetryAfterWhenItIsLongerThanTheBackoff() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        retrier(Duration.ofSeconds(60)).run(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new ApiFailure(ApiFailure.Kind.TRANSIENT, "HTTP 429: too many requests", Optional.of(Duration.ofSeconds(3)), null);
            }
            return true;
        });

        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void aRetryAfterBeyondTheDeadlineIsCutToTheDeadline() {
        assertThatThrownBy(() -> retrier(Duration.ofSeconds(2)).run(() -> {
            throw new ApiFailure(ApiFailure.Kind.TRANSIENT, "HTTP 429", Optional.of(Duration.ofSeconds(30)), null);
        })).isInstanceOf(Retrier.GaveUp.class);

        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(2));
    }
}
