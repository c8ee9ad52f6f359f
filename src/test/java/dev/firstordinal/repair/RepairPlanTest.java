package dev.firstordinal.repair;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.audit.PodFix;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

class RepairPlanTest {

    private static final String LABEL = MarkingPolicy.DEFAULT_LABEL_KEY;
    private final FirstOrdinalRule rule = new FirstOrdinalRule(MarkingPolicy.defaults());

    private static StatefulSet set(int replicas, Integer start, String specChangedAt) {
        StatefulSetBuilder set = new StatefulSetBuilder(Workloads.redis("ns", "mv", replicas, start))
                .editMetadata().withUid("set-uid").endMetadata();
        if (specChangedAt != null) {
            FieldsV1 spec = new FieldsV1();
            spec.setAdditionalProperty("f:spec", Map.of("f:ordinals", Map.of()));
            FieldsV1 status = new FieldsV1();
            status.setAdditionalProperty("f:status", Map.of());
            set.editMetadata().withManagedFields(
                    new ManagedFieldsEntryBuilder().withManager("kubectl-patch").withOperation("Update").withTime(specChangedAt)
                            .withFieldsV1(spec).build(),
                    new ManagedFieldsEntryBuilder().withManager("kube-controller-manager").withOperation("Update").withSubresource("status")
                            .withTime("2030-01-01T00:00:00Z").withFieldsV1(status).build()).endMetadata();
        }
        return set.build();
    }

    private static Pod pod(StatefulSet set, int ordinal, String createdAt) {
        return new PodBuilder(Workloads.pod(set, ordinal)).editMetadata().withNamespace("ns").withResourceVersion("7")
                .withCreationTimestamp(createdAt).endMetadata().build();
    }

    private static Pod marked(Pod pod) {
        return new PodBuilder(pod).editMetadata().addToLabels(LABEL, "redis")
                .addToAnnotations(MarkingPolicy.defaults().hook().forContainer("redis")).endMetadata().build();
    }

    @Test
    void marksAFirstOrdinalCreatedWithoutItsMarksAsMissedAtAdmissionSinceItsCreation() {
        StatefulSet set = set(2, null, "2026-12-06T10:00:00Z");
        RepairPlan plan = RepairPlan.of(set, List.of(pod(set, 0, "2026-12-06T10:00:00Z"), pod(set, 1, "2026-12-06T10:00:00Z")), rule);

        assertThat(plan.repairs()).singleElement().satisfies(repair -> {
            assertThat(repair.fix().pod()).isEqualTo("mv-0");
            assertThat(repair.fix().action()).isEqualTo(PodFix.Action.ADD);
            assertThat(repair.cause()).isEqualTo(RepairCause.MISSED_AT_ADMISSION);
            assertThat(repair.unmarkedSince()).contains(Instant.parse("2026-12-06T10:00:00Z"));
            assertThat(ops(repair.fix())).startsWith("test /metadata/resourceVersion");
        });
    }

    @Test
    void aPodOlderThanTheStartChangeThatMadeItFirstIsStartChangedSinceThatChange() {
        StatefulSet set = set(3, 1, "2026-12-06T11:00:00Z");
        List<Pod> pods = List.of(pod(set, 1, "2026-12-06T10:00:00Z"), pod(set, 2, "2026-12-06T10:00:00Z"),
                pod(set, 3, "2026-12-06T11:00:01Z"));

        RepairPlan plan = RepairPlan.of(set, pods, rule);

        assertThat(plan.repairs()).singleElement().satisfies(repair -> {
            assertThat(repair.fix().pod()).isEqualTo("mv-1");
            assertThat(repair.cause()).isEqualTo(RepairCause.START_CHANGED);
            assertThat(repair.unmarkedSince()).contains(Instant.parse("2026-12-06T11:00:00Z"));
        });
    }

    @Test
    void refreshesAnOlderReleasesHookOnTheFirstOrdinalAsStaleHook() {
        StatefulSet set = set(2, null, "2026-12-06T10:00:00Z");
        Pod old = new PodBuilder(pod(set, 0, "2026-12-06T10:00:00Z")).editMetadata().addToLabels(LABEL, "redis")
                .addToAnnotations(dev.firstordinal.testing.OlderHook.annotations()).endMetadata().build();

        RepairPlan plan = RepairPlan.of(set, List.of(old, pod(set, 1, "2026-12-06T10:00:00Z")), rule);

        assertThat(RepairPlan.mayNeedRepair(old, "ns", java.util.Optional.of(dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal.of(0)), rule))
                .isTrue();
        assertThat(plan.repairs()).singleElement().satisfies(repair -> {
            assertThat(repair.fix().pod()).isEqualTo("mv-0");
            assertThat(repair.fix().action()).isEqualTo(PodFix.Action.REFRESH);
            assertThat(repair.cause()).isEqualTo(RepairCause.STALE_HOOK);
            assertThat(repair.unmarkedSince()).isEmpty();
            assertThat(ops(repair.fix())).startsWith("test /metadata/resourceVersion")
                    .contains("remove /metadata/annotations/pre.hook.backup.velero.io~1command",
                            "add /metadata/annotations/first-ordinal.dev~1hook");
        });
    }

    @Test
    void cleansFirstOrdinalsMarksFromAPodNoLongerFirst() {
        StatefulSet set = set(3, 1, null);
        RepairPlan plan = RepairPlan.of(set, List.of(marked(pod(set, 1, null)), marked(pod(set, 2, null))), rule);

        assertThat(plan.repairs()).singleElement().satisfies(repair -> {
            assertThat(repair.fix().pod()).isEqualTo("mv-2");
            assertThat(repair.cause()).isEqualTo(RepairCause.CLEANED);
            assertThat(repair.unmarkedSince()).isEmpty();
            assertThat(ops(repair.fix())).containsExactly("test /metadata/resourceVersion",
                    "test /metadata/labels/" + LABEL, "remove /metadata/labels/" + LABEL,
                    "test /metadata/annotations/pre.hook.backup.velero.io~1container", "remove /metadata/annotations/pre.hook.backup.velero.io~1container",
                    "remove /metadata/annotations/pre.hook.backup.velero.io~1command",
                    "test /metadata/annotations/pre.hook.backup.velero.io~1on-error", "remove /metadata/annotations/pre.hook.backup.velero.io~1on-error",
                    "test /metadata/annotations/pre.hook.backup.velero.io~1timeout", "remove /metadata/annotations/pre.hook.backup.velero.io~1timeout",
                    "test /metadata/annotations/first-ordinal.dev~1hook", "remove /metadata/annotations/first-ordinal.dev~1hook");
        });
    }

    @Test
    void leavesAUsersHookAndALabelTheSelectorUsesAlone() {
        StatefulSet set = new StatefulSetBuilder(set(2, null, null)).editSpec().editSelector().addToMatchLabels(LABEL, "redis")
                .endSelector().endSpec().build();
        Pod userHook = new PodBuilder(pod(set, 0, null)).editMetadata()
                .addToAnnotations(HookAnnotations.COMMAND, "[\"/my/backup\"]").endMetadata().build();
        Pod userHookReplica = new PodBuilder(pod(set, 1, null)).editMetadata().addToLabels(LABEL, "redis")
                .addToAnnotations(HookAnnotations.COMMAND, "[\"/my/backup\"]").endMetadata().build();

        RepairPlan plan = RepairPlan.of(set, List.of(userHook, userHookReplica), rule);

        assertThat(plan.repairs()).singleElement().satisfies(repair -> {
            assertThat(repair.fix().pod()).isEqualTo("mv-0");
            assertThat(ops(repair.fix())).containsExactly("test /metadata/resourceVersion", "add /metadata/labels/" + LABEL);
        });
        assertThat(plan.kept()).singleElement().asString().contains("mv-1").contains("selects its pods on " + LABEL);
    }

    @Test
    void leavesPodsBeingDeletedOutsideTheRangeOrOfAnotherSetAlone() {
        StatefulSet set = set(2, 5, null);
        Pod deleting = new PodBuilder(pod(set, 5, null)).editMetadata().withDeletionTimestamp("2026-12-06T10:00:00Z").endMetadata().build();
        Pod condemned = marked(pod(set, 0, null));
        Pod otherSet = new PodBuilder(marked(pod(set, 6, null))).editMetadata().editFirstOwnerReference().withUid("older-set").endOwnerReference()
                .endMetadata().build();

        assertThat(RepairPlan.of(set, List.of(deleting, condemned, otherSet), rule).repairs()).isEmpty();
    }

    @Test
    void looksAtAPodOnlyWhenTheCachedStartSaysItMayBeWrongOrCannotTell() {
        StatefulSet set = set(3, null, null);
        Optional<StartOrdinal> cached = Optional.of(StartOrdinal.cached(0, 3));

        assertThat(RepairPlan.mayNeedRepair(pod(set, 0, null), "ns", cached, rule)).as("unmarked first").isTrue();
        assertThat(RepairPlan.mayNeedRepair(marked(pod(set, 0, null)), "ns", cached, rule)).as("marked first").isFalse();
        assertThat(RepairPlan.mayNeedRepair(marked(pod(set, 1, null)), "ns", cached, rule)).as("marked replica").isTrue();
        assertThat(RepairPlan.mayNeedRepair(pod(set, 1, null), "ns", cached, rule)).as("clean replica").isFalse();
        assertThat(RepairPlan.mayNeedRepair(pod(set, 1, null), "ns", Optional.empty(), rule)).as("set not cached").isTrue();
        assertThat(RepairPlan.mayNeedRepair(pod(set, 4, null), "ns", cached, rule)).as("outside the cached range").isTrue();
        assertThat(RepairPlan.mayNeedRepair(pod(set, 1, null), "ns", Optional.of(StartOrdinal.guessed(0, "guess")), rule))
                .as("a guessed start").isTrue();
    }

    private static List<String> ops(PodFix fix) {
        return StreamSupport.stream(fix.patch().spliterator(), false)
                .map((JsonNode op) -> op.get("op").asText() + " " + op.get("path").asText()).toList();
    }
}
