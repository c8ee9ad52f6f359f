package dev.firstordinal.audit;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CoverageCheckTest {

    private final StatefulSet set = Workloads.redis("shop", "redis", 3, null);

    @Test
    void aSetScaledToZeroIsUncoveredBecauseItsVolumesAreNotBackedUp() {
        StatefulSet scaledDown = Workloads.redis("shop", "redis", 0, null);

        ShardCoverage coverage = check(scaledDown, List.of(), Set.of("data-redis-0"));

        assertThat(coverage.state()).isEqualTo(CoverageState.UNCOVERED);
        assertThat(coverage.problems()).containsExactly("scaled to 0 replicas: no first-ordinal pod redis-0, so its volumes are not backed up");
        assertThat(coverage.claims()).containsExactly(new ShardCoverage.Claim("data-redis-0", true));
    }

    @Test
    void userHookAnnotationsWithoutACommandLeaveTheShardUncovered() {
        Pod first = new PodBuilder(Workloads.pod(set, 0)).editMetadata()
                .addToLabels("velero-backup-schedule", "redis")
                .addToAnnotations(HookAnnotations.TIMEOUT, "60s").endMetadata().build();

        ShardCoverage coverage = check(set, List.of(first), Set.of());

        assertThat(coverage.state()).isEqualTo(CoverageState.UNCOVERED);
        assertThat(coverage.hook()).isFalse();
        assertThat(coverage.problems()).singleElement().asString().contains("annotations but no command");
    }

    @Test
    void anUncoveredFirstOrdinalOutweighsOverCoverage() {
        ShardCoverage coverage = check(set, List.of(Workloads.pod(set, 0), Shards.markedAnyway(set, 1), Shards.markedAnyway(set, 2)), Set.of());

        assertThat(coverage.state()).isEqualTo(CoverageState.UNCOVERED);
        assertThat(coverage.alsoLabelled()).containsExactly("redis-1", "redis-2");
        assertThat(coverage.problems()).contains("redis-1 also carries velero-backup-schedule=redis");
    }

    @Test
    void aFirstOrdinalPodWithTheSkipAnnotationIsSkipped() {
        Pod first = new PodBuilder(Workloads.pod(set, 0)).editMetadata().addToAnnotations("first-ordinal.dev/skip", "true").endMetadata().build();

        assertThat(check(set, List.of(first), Set.of()).state()).isEqualTo(CoverageState.SKIPPED);
    }

    @Test
    void aHookInTheImpliedFirstContainerCounts() {
        Pod first = Shards.admitted(set, 0);
        first.getMetadata().getAnnotations().remove(HookAnnotations.CONTAINER);

        ShardCoverage coverage = check(set, List.of(first), Set.of());

        assertThat(coverage.state()).isEqualTo(CoverageState.COVERED);
        assertThat(coverage.hookContainer()).as("Velero's default: the first container").isEqualTo("redis");
    }

    private static ShardCoverage check(StatefulSet set, List<Pod> pods, Set<String> claims) {
        return CoverageCheck.of(new ShardSnapshot(set, pods, claims), Shards.RULE);
    }
}
