package dev.firstordinal.labeller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A monotonic clock that only moves when something sleeps on it: retry tests run without waiting. */
final class FakeTime implements Retrier.Sleeper {

    private long nanos = 1_000_000_000L;
    final List<Duration> sleeps = new ArrayList<>();

    long nanoTime() {
        return nanos;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        advance(duration);
    }

    Duration slept() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
