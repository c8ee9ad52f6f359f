package dev.firstordinal.admission;

import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.Fixtures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionMetricsTest {

    private static final StartOrdinalLookup NOT_CACHED =
            (namespace, sts) -> StartOrdinalLookup.StartOrdinal.guessed(0, "StatefulSet not cached; assuming start ordinal 0");

    private static AdmissionReviewHandler.Answer answer(String fixture, StartOrdinalLookup starts) throws Exception {
        return new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), starts).handle(Fixtures.reviewBytes(fixture));
    }

    @Test
    void countsAnswersOnAGuessedStartOrdinalAsFallbackWithTheirOutcome() throws Exception {
        assertThat(AdmissionMetrics.reasonFor(answer("first-ordinal-redis", NOT_CACHED))).isEqualTo(AdmissionMetrics.Reason.FALLBACK_MARKED);
        assertThat(AdmissionMetrics.reasonFor(answer("ordinal-1-left-alone", NOT_CACHED))).isEqualTo(AdmissionMetrics.Reason.FALLBACK_LEFT_ALONE);
    }

    @Test
    void countsAnswersOnAKnownStartOrdinalAsMarkedOrLeftAloneEvenWithOtherWarnings() throws Exception {
        assertThat(AdmissionMetrics.reasonFor(answer("first-ordinal-redis", StartOrdinalLookup.ZERO))).isEqualTo(AdmissionMetrics.Reason.MARKED);
        assertThat(AdmissionMetrics.reasonFor(answer("no-redis-container-falls-back-to-first", StartOrdinalLookup.ZERO)))
                .isEqualTo(AdmissionMetrics.Reason.MARKED);
        assertThat(AdmissionMetrics.reasonFor(answer("configmap-left-alone", StartOrdinalLookup.ZERO))).isEqualTo(AdmissionMetrics.Reason.LEFT_ALONE);
    }

    @Test
    void incrementsTheSeriesOfTheReasonAndRecordsLatencyUnderItsOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AdmissionMetrics metrics = new AdmissionMetrics(registry);

        metrics.answered(AdmissionMetrics.Reason.FALLBACK_MARKED, System.nanoTime());
        metrics.answered(AdmissionMetrics.Reason.BAD_REQUEST, System.nanoTime());

        assertThat(registry.get(AdmissionMetrics.REQUESTS).tags("outcome", "patch", "reason", "fallback").counter().count()).isEqualTo(1);
        assertThat(registry.get(AdmissionMetrics.REQUESTS).tags("outcome", "patch", "reason", "marked").counter().count()).isZero();
        assertThat(registry.get(AdmissionMetrics.REQUESTS).tags("outcome", "error", "reason", "bad-request").counter().count()).isEqualTo(1);
        assertThat(registry.get(AdmissionMetrics.LATENCY).tags("outcome", "patch").timer().count()).isEqualTo(1);
        assertThat(registry.get(AdmissionMetrics.LATENCY).tags("outcome", "no-patch").timer().count()).isZero();
    }
}
