package dev.firstordinal.repair;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The repairer's meters on {@code /q/metrics}:
 * <ul>
 *   <li>{@value #REPAIRS}{@code _total{cause="missed_at_admission|start_changed|cleaned"}}: pods patched;</li>
 *   <li>{@value #UNMARKED}{@code _seconds} (histogram, {@code cause} as above without {@code cleaned}): how long a
 *       first-ordinal pod had gone without its marks when its repair went through;</li>
 *   <li>{@value #FAILURES}{@code _total{reason="statefulset_unreadable|patch_failed"}}: repairs not made (retried);</li>
 *   <li>{@value #LEADER}: 1 on the replica that holds the repair Lease, else 0.</li>
 * </ul>
 */
final class RepairMetrics {

    static final String REPAIRS = "first_ordinal.repairs";
    static final String UNMARKED = "first_ordinal.repair.unmarked";
    static final String FAILURES = "first_ordinal.repair.failures";
    static final String LEADER = "first_ordinal.repair.leader";
    private static final Duration[] BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(6),
            Duration.ofDays(1)};

    private final Map<RepairCause, Counter> repairs = new EnumMap<>(RepairCause.class);
    private final Map<RepairCause, Timer> unmarked = new EnumMap<>(RepairCause.class);
    private final Counter unreadable;
    private final Counter patchFailed;
    private final AtomicInteger leader = new AtomicInteger();

    RepairMetrics(MeterRegistry registry) {
        for (RepairCause cause : RepairCause.values()) {
            repairs.put(cause, Counter.builder(REPAIRS)
                    .description("Pods the repairer patched: first-ordinal pods marked after admission, or marks removed")
                    .tag("cause", cause.label())
                    .register(registry));
            if (cause != RepairCause.CLEANED && cause != RepairCause.STALE_HOOK) {
                unmarked.put(cause, Timer.builder(UNMARKED)
                        .description("How long a first-ordinal pod had gone without its marks when the repairer marked it")
                        .tag("cause", cause.label())
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry));
            }
        }
        unreadable = failures(registry, "statefulset_unreadable");
        patchFailed = failures(registry, "patch_failed");
        Gauge.builder(LEADER, leader, AtomicInteger::get)
                .description("1 on the webhook replica that holds the repair Lease (the one that repairs), else 0")
                .register(registry);
    }

    private static Counter failures(MeterRegistry registry, String reason) {
        return Counter.builder(FAILURES)
                .description("Repairs not made (tried again): the StatefulSet could not be read, or the patch failed")
                .tag("reason", reason)
                .register(registry);
    }

    void repaired(RepairCause cause, Duration unmarkedFor) {
        repairs.get(cause).increment();
        if (unmarkedFor != null && unmarked.containsKey(cause)) {
            unmarked.get(cause).record(unmarkedFor.isNegative() ? Duration.ZERO : unmarkedFor);
        }
    }

    void statefulSetUnreadable() {
        unreadable.increment();
    }

    void patchFailed() {
        patchFailed.increment();
    }

    void leading(boolean leading) {
        leader.set(leading ? 1 : 0);
    }
}
