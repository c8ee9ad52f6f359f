package dev.firstordinal.policy;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StartOrdinalParamsTest {

    @Test
    void listsOnlySetsThatStartElsewhereThanZeroSortedByKey() {
        Map<String, String> data = StartOrdinalParams.data(Map.of(
                "redis", Map.of("cache", 3, "plain", 0),
                "a-ns", Map.of("z.dotted", 10)));
        assertThat(data).containsExactly(Map.entry("a-ns_z.dotted", "10"), Map.entry("redis_cache", "3"));
    }

    @Test
    void readsBackWhatTheSyncWroteAndZeroForAnythingElse() {
        Map<String, String> data = Map.of("redis_cache", "3", "redis_broken", "three", "redis_huge", "99999999999");
        assertThat(StartOrdinalParams.startOf(data, "redis", "cache")).isEqualTo(3);
        assertThat(StartOrdinalParams.startOf(data, "redis", "missing")).isZero();
        assertThat(StartOrdinalParams.startOf(data, "redis", "broken")).isZero();
        assertThat(StartOrdinalParams.startOf(data, "redis", "huge")).isZero();
        assertThat(StartOrdinalParams.startOf(null, "redis", "cache")).isZero();
    }

    @Test
    void aKeyLongerThanAConfigMapAllowsIsNotWritten() {
        String longName = "s".repeat(250);
        assertThat(StartOrdinalParams.key("redis", longName)).isEmpty();
        assertThat(StartOrdinalParams.data(Map.of("redis", Map.of(longName, 2)))).isEmpty();
    }
}
