package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.patch.PodPatch;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.zjsonpatch.JsonPatchException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backfill's plan, applied to pods the way the API server applies JSON patches. */
class BackfillTest {

    private final StatefulSet set = Workloads.redis("shop", "redis", 3, 1);

    @Test
    void addsTheWebhooksOwnPatchBehindAResourceVersionTest() {
        Pod first = withResourceVersion(Workloads.pod(set, 1), "17");
        Decision decision = Shards.RULE.decide(first, "shop", (ns, name) -> StartOrdinalLookup.StartOrdinal.of(1));

        PodFix fix = Backfill.plan(List.of(snapshot(first)), Shards.RULE).fixes().get(0);

        assertThat(fix.action()).isEqualTo(PodFix.Action.ADD);
        assertThat(fix.pod()).isEqualTo("redis-1");
        assertThat(fix.patch().get(0).toString()).isEqualTo("{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"17\"}");
        ArrayNode rest = fix.patch().deepCopy();
        rest.remove(0);
        assertThat(rest).isEqualTo(PodPatch.additions(first.getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd()));
    }

    @Test
    void patchedPodsAreCoveredAndNeedNoFurtherPatch() {
        List<Pod> pods = List.of(withResourceVersion(Workloads.pod(set, 1), "5"),
                withResourceVersion(Shards.markedAnyway(set, 2), "6"), withResourceVersion(Workloads.pod(set, 3), "7"));
        Backfill.Plan plan = Backfill.plan(List.of(snapshot(pods.toArray(Pod[]::new))), Shards.RULE);

        List<Pod> patched = new ArrayList<>();
        for (Pod pod : pods) {
            JsonNode node = Fixtures.JSON.valueToTree(pod);
            for (PodFix fix : plan.fixes()) {
                if (fix.pod().equals(pod.getMetadata().getName())) {
                    node = ApiServerPatch.apply(fix.patch(), node);
                }
            }
            patched.add(Fixtures.JSON.convertValue(node, Pod.class));
        }

        assertThat(plan.fixes()).extracting(PodFix::pod).containsExactly("redis-1", "redis-2");
        ShardCoverage coverage = CoverageCheck.of(snapshot(patched.toArray(Pod[]::new)), Shards.RULE);
        assertThat(coverage.state()).isEqualTo(CoverageState.COVERED);
        assertThat(Backfill.plan(List.of(snapshot(patched.toArray(Pod[]::new))), Shards.RULE).fixes()).as("idempotent").isEmpty();
    }

    @Test
    void patchFailsOnAPodThatChangedSinceItWasRead() {
        Pod read = withResourceVersion(Workloads.pod(set, 1), "5");
        PodFix fix = Backfill.plan(List.of(snapshot(read)), Shards.RULE).fixes().get(0);
        Pod changed = new PodBuilder(read).editMetadata().withResourceVersion("6").withAnnotations(java.util.Map.of("x", "y")).endMetadata().build();

        assertThatThrownBy(() -> ApiServerPatch.apply(fix.patch(), Fixtures.JSON.valueToTree(changed)))
                .isInstanceOf(JsonPatchException.class);
    }

    @Test
    void leavesSkippedStatefulSetsAlone() {
        StatefulSet skipped = Workloads.redis("shop", "skipped", 2, null);
        skipped.getSpec().getTemplate().getMetadata().setAnnotations(java.util.Map.of("first-ordinal.dev/skip", "true"));
        ShardSnapshot snapshot = new ShardSnapshot(skipped, List.of(Workloads.pod(skipped, 0), Shards.markedAnyway(skipped, 1)), Set.of());

        assertThat(Backfill.plan(List.of(snapshot), Shards.RULE).fixes()).isEmpty();
    }

    private ShardSnapshot snapshot(Pod... pods) {
        return new ShardSnapshot(set, List.of(pods), Set.of());
    }

    private static Pod withResourceVersion(Pod pod, String resourceVersion) {
        return new PodBuilder(pod).editMetadata().withResourceVersion(resourceVersion).endMetadata().build();
    }
}
