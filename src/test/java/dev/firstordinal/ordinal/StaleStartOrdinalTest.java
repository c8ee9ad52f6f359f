package dev.firstordinal.ordinal;

import dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cached StatefulSet that lags the API server: the controller creates the pods of a new start or
 * scale right after the update. A pod outside the cached {@code [start, start + replicas)} proves the
 * cache stale, and the rule reads the start again before deciding.
 */
class StaleStartOrdinalTest {

    private final FirstOrdinalRule rule = new FirstOrdinalRule(MarkingPolicy.defaults());

    /** A cache that saw {@code cached} and an API server that now says {@code fresh}; counts the re-reads. */
    private static final class LaggingCache implements StartOrdinalLookup {
        private final StartOrdinal cached;
        private final StartOrdinal fresh;
        final List<StartOrdinal> rereads = new ArrayList<>();

        LaggingCache(StartOrdinal cached, StartOrdinal fresh) {
            this.cached = cached;
            this.fresh = fresh;
        }

        @Override
        public StartOrdinal startOrdinal(String namespace, String statefulSet) {
            return cached;
        }

        @Override
        public StartOrdinal reread(String namespace, String statefulSet, StartOrdinal stale) {
            rereads.add(stale);
            return fresh;
        }
    }

    private static Pod pod(int ordinal) {
        return new PodBuilder()
                .withNewMetadata().withName("mv-" + ordinal)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName("mv").withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec()
                .build();
    }

    @Test
    void startMovedUpMarksTheNewFirstOrdinalAfterReadingTheSetAgain() {
        LaggingCache cache = new LaggingCache(StartOrdinal.cached(0, 2), StartOrdinal.of(5));

        Decision five = rule.decide(pod(5), "ns", cache);

        assertThat(five.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(five.labelsToAdd()).containsEntry("velero-backup-schedule", "redis");
        assertThat(cache.rereads).containsExactly(StartOrdinal.cached(0, 2));
    }

    @Test
    void startMovedDownMarksTheNewFirstOrdinalAfterReadingTheSetAgain() {
        LaggingCache cache = new LaggingCache(StartOrdinal.cached(5, 2), StartOrdinal.of(0));

        Decision zero = rule.decide(pod(0), "ns", cache);

        assertThat(zero.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(cache.rereads).hasSize(1);
    }

    @Test
    void scaleUpByMoreThanOneReadsTheSetAgainAndLeavesTheNewReplicasUnmarked() {
        LaggingCache cache = new LaggingCache(StartOrdinal.cached(0, 1), StartOrdinal.of(0));

        Decision one = rule.decide(pod(1), "ns", cache);
        Decision two = rule.decide(pod(2), "ns", cache);

        assertThat(one.verdict()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
        assertThat(two.verdict()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
        assertThat(one.changesPod() || two.changesPod()).isFalse();
        assertThat(cache.rereads).hasSize(2);
    }

    @Test
    void aPodInsideTheCachedRangeIsDecidedFromTheCacheAlone() {
        LaggingCache cache = new LaggingCache(StartOrdinal.cached(3, 3), StartOrdinal.of(99));

        assertThat(rule.decide(pod(3), "ns", cache).verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(rule.decide(pod(5), "ns", cache).verdict()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
        assertThat(cache.rereads).isEmpty();
    }

    @Test
    void aReReadThatFailsKeepsTheCachedStartAndPassesOnItsWarning() {
        LaggingCache cache = new LaggingCache(StartOrdinal.cached(0, 2),
                StartOrdinal.guessed(0, "StatefulSet ns/mv is stale in the cache and reading it failed; assuming its first ordinal is still 0"));

        Decision five = rule.decide(pod(5), "ns", cache);

        assertThat(five.verdict()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
        assertThat(five.startOrdinalGuessed()).isTrue();
        assertThat(five.warnings()).singleElement().asString().contains("is stale in the cache");
    }

    @ParameterizedTest(name = "cached start {0}, {1} replicas: ordinal {2} ruled out = {3}")
    @CsvSource({
            "0, 2, 0, false", "0, 2, 1, false", "0, 2, 2, true", "0, 2, 5, true",
            "5, 2, 4, true", "5, 2, 5, false", "5, 2, 6, false", "5, 2, 7, true", "5, 2, 0, true",
            "0, 0, 0, true",
            "2147483647, 1, 2147483647, false"})
    void ruledOutOutsideTheCachedRange(int start, int replicas, int ordinal, boolean ruledOut) {
        assertThat(StartOrdinal.cached(start, replicas).ruledOut(ordinal)).isEqualTo(ruledOut);
    }

    @Test
    void anAnswerWithoutAReplicaCountNeverRulesAPodOut() {
        assertThat(StartOrdinal.of(5).ruledOut(0)).isFalse();
        assertThat(StartOrdinal.guessed(0, "guess").ruledOut(9)).isFalse();
        assertThat(StartOrdinalLookup.ZERO.reread("ns", "mv", StartOrdinal.of(0))).isEqualTo(StartOrdinal.of(0));
    }
}
