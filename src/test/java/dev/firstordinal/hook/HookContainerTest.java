package dev.firstordinal.hook;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HookContainerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            redis,                                          redis
            redis:7.2,                                      redis
            bitnami/redis:7.2,                              redis
            registry.example/bitnami/redis:7.2.5-debian-12-r0,     redis
            localhost:5000/redis,                           redis
            registry.example:5000/valkey/valkey:8@sha256:abc, valkey
            redis@sha256:abc,                               redis
            oliver006/redis_exporter:v1.62.0,               redis_exporter
            bitnami/redis-sentinel:7.2,                     redis-sentinel
            redis/redis-stack-server:7.2.0-v10,             redis-stack-server
            """)
    void readsTheImageRepositorysLastPathElement(String image, String expected) {
        assertThat(HookContainer.imageRepositoryName(image)).isEqualTo(expected);
    }

    // Found by the Jazzer pass (corpus: container-without-name.json): a pod reaches a mutating webhook
    // before validation, so a container may have no name.
    @Test
    void skipsContainersWithoutANameWhenChoosing() {
        Container unnamed = new ContainerBuilder().withImage("redis:7.2").build();
        Container sidecar = new ContainerBuilder().withName("metrics").withImage("oliver006/redis_exporter").build();

        assertThat(HookContainer.choose("a-0", Arrays.asList(null, unnamed, sidecar), Map.of()))
                .get().extracting(HookContainer.Choice::container).isEqualTo("metrics");
        assertThat(HookContainer.choose("a-0", List.of(unnamed), Map.of(HookContainer.ANNOTATION, "redis")))
                .isEmpty();
    }
}
