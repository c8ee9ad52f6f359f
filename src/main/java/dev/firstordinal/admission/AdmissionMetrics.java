package dev.firstordinal.admission;

import dev.firstordinal.ordinal.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * What {@code /mutate} answered, as Prometheus sees it on the management port:
 * {@code first_ordinal_admission_requests_total{outcome,reason}} and the latency histogram
 * {@code first_ordinal_admission_seconds{outcome}}. All meters are created up front, so every
 * series exists (at 0) from the first scrape and the hot path only increments.
 */
@Singleton
public class AdmissionMetrics {

    public static final String REQUESTS = "first_ordinal.admission.requests";
    public static final String LATENCY = "first_ordinal.admission";
    public static final String CLIENT_CLOSED = "first_ordinal.admission.client.closed";
    public static final String BODY_BYTES_IN_FLIGHT = "first_ordinal.admission.body.bytes.in.flight";
    public static final String BODY_BYTES_LIMIT = "first_ordinal.admission.body.bytes.limit";
    public static final String STALLED_WRITES = "first_ordinal.admission.stalled.writes";

    /** Why an answer was what it was; the {@code reason} label. */
    public enum Reason {
        /** The pod was patched (label and/or hook added) on a known start ordinal. */
        MARKED("marked", Outcome.PATCH),
        /** Answered without a patch: not ours, another ordinal, or already marked. */
        LEFT_ALONE("left-alone", Outcome.NO_PATCH),
        /** Answered on a guessed start ordinal (StatefulSet not readable), with a warning, and patched. */
        FALLBACK_MARKED("fallback", Outcome.PATCH),
        /** Answered on a guessed start ordinal, with a warning, and not patched. */
        FALLBACK_LEFT_ALONE("fallback", Outcome.NO_PATCH),
        /** Not a usable AdmissionReview: HTTP 400 (the API server then applies its failurePolicy). */
        BAD_REQUEST("bad-request", Outcome.ERROR),
        /** Refused with HTTP 429: its body did not fit in the budget of bodies in flight. */
        OVERLOADED("overloaded", Outcome.ERROR),
        /** Refused with HTTP 408: its body did not arrive whole within the body timeout. */
        BODY_TIMEOUT("body-timeout", Outcome.ERROR);

        final String label;
        final Outcome outcome;

        Reason(String label, Outcome outcome) {
            this.label = label;
            this.outcome = outcome;
        }
    }

    /** What the API server got; the {@code outcome} label. */
    public enum Outcome {
        PATCH("patch"), NO_PATCH("no-patch"), ERROR("error");

        final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    private final Map<Reason, Counter> requests = new EnumMap<>(Reason.class);
    private final Map<Outcome, Timer> latency = new EnumMap<>(Outcome.class);
    private final Counter clientClosed;
    private final Counter stalledWrites;
    private final MeterRegistry registry;

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Not an answer: the client (an API server that timed out, a reset) went away before the answer.
        clientClosed = Counter.builder(CLIENT_CLOSED)
                .description("/mutate requests the client closed or reset before they were answered (not counted as answers)")
                .register(registry);
        stalledWrites = Counter.builder(STALLED_WRITES)
                .description("Answers held back because the client did not read earlier ones (its connection is paused meanwhile)")
                .register(registry);
        for (Reason reason : Reason.values()) {
            requests.put(reason, Counter.builder(REQUESTS)
                    .description("AdmissionReviews answered by /mutate, by outcome and reason")
                    .tag("outcome", reason.outcome.label)
                    .tag("reason", reason.label)
                    .register(registry));
        }
        for (Outcome outcome : Outcome.values()) {
            latency.put(outcome, Timer.builder(LATENCY)
                    .description("Time from the start of a /mutate request to the end of its answer")
                    .tag("outcome", outcome.label)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(100_000))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry));
        }
    }

    /** The reason for an answer the handler gave. */
    public static Reason reasonFor(AdmissionReviewHandler.Answer answer) {
        boolean guessed = answer.decision().map(Decision::startOrdinalGuessed).orElse(false);
        if (guessed) {
            return answer.patched() ? Reason.FALLBACK_MARKED : Reason.FALLBACK_LEFT_ALONE;
        }
        return answer.patched() ? Reason.MARKED : Reason.LEFT_ALONE;
    }

    /** Exports the budget of bodies in flight: bytes buffered now, and the limit. */
    public void budget(BodyBudget budget) {
        io.micrometer.core.instrument.Gauge.builder(BODY_BYTES_IN_FLIGHT, budget, BodyBudget::inFlight)
                .description("Bytes of /mutate request bodies buffered now").baseUnit("bytes").register(registry);
        io.micrometer.core.instrument.Gauge.builder(BODY_BYTES_LIMIT, budget, BodyBudget::limit)
                .description("first-ordinal.admission.bodies-in-flight-bytes: beyond it bodies are refused with 429")
                .baseUnit("bytes").register(registry);
    }

    public void clientClosed() {
        clientClosed.increment();
    }

    public void stalledWrite() {
        stalledWrites.increment();
    }

    public void answered(Reason reason, long startNanos) {
        requests.get(reason).increment();
        latency.get(reason.outcome).record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
