package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.OlderHook;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit reports first-ordinal's own stale hooks, and --fix (the backfill plan) refreshes only those. */
class StaleHookAuditTest {

    private static final FirstOrdinalRule SCHEDULE = new FirstOrdinalRule(
            MarkingPolicy.of("velero-backup-schedule", "redis", "Fail", "300s", "none", "schedule"));
    private final StatefulSet set = Workloads.redis("shop", "redis", 2, null);

    /** The first-ordinal pod as an earlier version admitted it: label, and a signed hook without identity. */
    private Pod olderVersionsPod(String resourceVersion) {
        Map<String, String> hook = OlderHook.annotationsWith("team.example/owner", "cache");
        return new PodBuilder(Workloads.pod(set, 0)).editMetadata().withResourceVersion(resourceVersion)
                .addToLabels("velero-backup-schedule", "redis").addToAnnotations(hook).endMetadata().build();
    }

    private ShardSnapshot snapshot(Pod... pods) {
        return new ShardSnapshot(set, List.of(pods), Set.of());
    }

    private static Pod applied(PodFix fix, Pod pod) {
        JsonNode node = ApiServerPatch.apply(fix.patch(), Fixtures.JSON.valueToTree(pod));
        return Fixtures.JSON.convertValue(node, Pod.class);
    }

    @Test
    void anOlderVersionsHookIsReportedStaleWithItsShardAndIsAProblem() {
        CoverageReport report = new CoverageReport(List.of("shop"), List.of(
                CoverageCheck.of(snapshot(olderVersionsPod("4"), Workloads.pod(set, 1)), Shards.RULE)));

        ShardCoverage coverage = report.statefulSets().get(0);
        assertThat(coverage.state()).isEqualTo(CoverageState.STALE);
        assertThat(coverage.problems()).containsExactly("redis-0: stale hook (no first-ordinal.dev/hook: an older version's), this version writes "
                + Shards.RULE.policy().hook().identity() + "; --fix (or the self-repair) refreshes it");
        assertThat(report.hasProblems()).isTrue();
        assertThat(report.table()).contains("redis-0    redis  stale").contains("0 overcovered, 1 stale");
    }

    @Test
    void fixRefreshesOnlyFirstOrdinalsOwnAnnotationsBehindTheResourceVersion() {
        Pod old = olderVersionsPod("4");

        PodFix fix = Backfill.plan(List.of(snapshot(old)), Shards.RULE).fixes().get(0);
        Pod fixed = applied(fix, old);

        assertThat(fix.action()).isEqualTo(PodFix.Action.REFRESH);
        assertThat(fix.patch().get(0).toString()).isEqualTo("{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"4\"}");
        Map<String, String> expected = new LinkedHashMap<>(Shards.RULE.policy().hook().forContainer("redis"));
        expected.put("team.example/owner", "cache");
        assertThat(fixed.getMetadata().getAnnotations()).isEqualTo(expected);
        assertThat(CoverageCheck.of(snapshot(fixed), Shards.RULE).state()).isEqualTo(CoverageState.COVERED);
        assertThat(Backfill.plan(List.of(snapshot(fixed)), Shards.RULE).fixes()).as("idempotent").isEmpty();
    }

    @Test
    void aUsersHookIsCoveredAndNeverPatched() {
        Pod users = new PodBuilder(Workloads.pod(set, 0)).editMetadata().withResourceVersion("3")
                .addToLabels("velero-backup-schedule", "redis")
                .addToAnnotations(HookAnnotations.COMMAND, "[\"/bin/sh\",\"-c\",\"redis-cli SAVE\"]").endMetadata().build();

        assertThat(CoverageCheck.of(snapshot(users), Shards.RULE).state()).isEqualTo(CoverageState.COVERED);
        assertThat(Backfill.plan(List.of(snapshot(users)), Shards.RULE).fixes()).isEmpty();
        assertThat(CoverageCheck.of(snapshot(users), SCHEDULE).state()).isEqualTo(CoverageState.COVERED);
        assertThat(Backfill.plan(List.of(snapshot(users)), SCHEDULE).fixes()).isEmpty();
    }

    @Test
    void switchingToScheduleModeTurnsAnnotatedPodsStaleAndFixLeavesOnlyLabels() {
        Pod annotated = Shards.admitted(set, 0);
        annotated = new PodBuilder(annotated).editMetadata().withResourceVersion("9").endMetadata().build();

        ShardCoverage during = CoverageCheck.of(snapshot(annotated), SCHEDULE);
        PodFix fix = Backfill.plan(List.of(snapshot(annotated)), SCHEDULE).fixes().get(0);
        Pod fixed = applied(fix, annotated);

        assertThat(during.state()).isEqualTo(CoverageState.STALE);
        assertThat(fixed.getMetadata().getAnnotations()).doesNotContainKeys(HookAnnotations.OWN_KEYS.toArray(String[]::new));
        assertThat(fixed.getMetadata().getLabels()).containsEntry(ScheduleHook.CONTAINER_LABEL, "redis")
                .containsEntry("velero-backup-schedule", "redis");
        ShardCoverage after = CoverageCheck.of(snapshot(fixed), SCHEDULE);
        assertThat(after.state()).isEqualTo(CoverageState.COVERED);
        assertThat(after.hookContainer()).isEqualTo("redis");
        assertThat(CoverageCheck.of(snapshot(fixed), Shards.RULE).state()).as("and back: annotations mode lacks the hook")
                .isEqualTo(CoverageState.UNCOVERED);
    }

    @Test
    void inScheduleModeALabelNamingAMissingContainerIsUncovered() {
        Pod pod = new PodBuilder(Workloads.pod(set, 0)).editMetadata()
                .addToLabels("velero-backup-schedule", "redis").addToLabels(ScheduleHook.CONTAINER_LABEL, "valkey").endMetadata().build();

        ShardCoverage coverage = CoverageCheck.of(snapshot(pod), SCHEDULE);

        assertThat(coverage.state()).isEqualTo(CoverageState.UNCOVERED);
        assertThat(coverage.problems()).singleElement().asString().contains("hook container \"valkey\" does not exist");
    }
}
