package dev.firstordinal.ordinal;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class PodOrdinalTest {

    @ParameterizedTest(name = "pod {0} of {1} -> {2}")
    @CsvSource(nullValues = "none", textBlock = """
            redis-0,                   redis,                 0
            redis-2,                   redis,                 2
            redis-shard-10-server-0,   redis-shard-10-server, 0
            redis-shard-10-server-10,  redis-shard-10-server, 10
            cache-10,                  cache,                 10
            cache-10-0,                cache-10,              0
            cache-10,                  cache-1,               none
            redis-0,                   redis-shard,           none
            redis-,                    redis,                 none
            redis-x1,                  redis,                 none
            redis-1a,                  redis,                 none
            redis--1,                  redis,                 none
            redis-99999999999,         redis,                 none
            redis-2147483647,          redis,                 2147483647
            none,                      redis,                 none
            """)
    void readsOrdinalFromDigitsAfterOwnerName(String podName, String owner, Integer expected) {
        ObjectMeta metadata = new ObjectMetaBuilder().withName(podName).build();
        assertThat(PodOrdinal.of(metadata, owner)).isEqualTo(expected == null ? OptionalInt.empty() : OptionalInt.of(expected));
    }

    @ParameterizedTest(name = "label {0} on {1} -> {2}")
    @CsvSource(nullValues = "none", textBlock = """
            3,    redis-0, 3
            0,    redis-7, 0
            abc,  redis-7, 7
            '',   redis-7, 7
            -1,   redis-7, 7
            """)
    void prefersPodIndexLabelWhenItIsANumber(String label, String podName, int expected) {
        ObjectMeta metadata = new ObjectMetaBuilder().withName(podName).addToLabels(PodOrdinal.POD_INDEX_LABEL, label).build();
        assertThat(PodOrdinal.of(metadata, "redis")).hasValue(expected);
    }
}
