package dev.firstordinal.admission;

import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal;
import dev.firstordinal.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The /mutate path decides once, with the start ordinal resolved first (MutateRoute): a cached start that cannot
 * be right for the pod under review (issue #27: the StatefulSet controller created ordinal 5 after a start change
 * the cache has not seen) is not answered on the event loop but read again on a worker.
 */
class StaleStartResolutionTest {

    private final AdmissionReviewHandler handler =
            new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);

    @Test
    void thePodsOrdinalComesWithItsStatefulSet() throws BadAdmissionReview {
        AdmissionReviewReader.Request request = handler.read(Fixtures.reviewBytes("ordinal-2-left-alone"));

        AdmissionReviewHandler.StatefulSetKey set = handler.statefulSetOf(request).orElseThrow();

        assertThat(set.ordinal()).isEqualTo(OptionalInt.of(2));
    }

    @Test
    void aCachedStartWhoseRangeHoldsThePodIsUsedAsItIs() {
        AdmissionReviewHandler.StatefulSetKey pod1 = new AdmissionReviewHandler.StatefulSetKey("redis", "mv", OptionalInt.of(1));

        assertThat(pod1.ruledOut(StartOrdinal.cached(0, 2))).isFalse();
        assertThat(pod1.ruledOut(StartOrdinal.of(0))).as("no replica count: never ruled out").isFalse();
    }

    @Test
    void aCachedStartThatCannotHaveMadeThePodIsReadAgainNotLookedUp() {
        AdmissionReviewHandler.StatefulSetKey pod5 = new AdmissionReviewHandler.StatefulSetKey("redis", "mv", OptionalInt.of(5));
        StartOrdinal cached = StartOrdinal.cached(0, 2);
        List<String> calls = new ArrayList<>();
        StartOrdinalLookup starts = new StartOrdinalLookup() {
            @Override
            public StartOrdinal startOrdinal(String namespace, String statefulSet) {
                calls.add("startOrdinal " + namespace + "/" + statefulSet);
                return cached;
            }

            @Override
            public StartOrdinal reread(String namespace, String statefulSet, StartOrdinal stale) {
                calls.add("reread " + namespace + "/" + statefulSet + " from " + stale.value());
                return StartOrdinal.of(5);
            }
        };

        assertThat(pod5.ruledOut(cached)).isTrue();
        StartOrdinal resolved = MutateRoute.resolveBlocking(starts, pod5, Optional.of(cached));

        assertThat(resolved.value()).isEqualTo(5);
        assertThat(calls).containsExactly("reread redis/mv from 0");
    }

    @Test
    void aMissIsLookedUp() {
        AdmissionReviewHandler.StatefulSetKey pod0 = new AdmissionReviewHandler.StatefulSetKey("redis", "mv", OptionalInt.of(0));
        StartOrdinalLookup starts = (namespace, statefulSet) -> StartOrdinal.of(3);

        assertThat(MutateRoute.resolveBlocking(starts, pod0, Optional.empty()).value()).isEqualTo(3);
    }
}
