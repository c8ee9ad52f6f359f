package dev.firstordinal.cluster;

import dev.firstordinal.ordinal.PodOrdinal;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class StatefulSetsTest {

    @Test
    void startOrdinalIsZeroWhenOrdinalsAreUnset() {
        assertThat(StatefulSets.startOrdinal(Workloads.redis("shop", "redis", 3, null))).isZero();
        assertThat(StatefulSets.startOrdinal(new StatefulSetBuilder().withNewMetadata().withName("bare").endMetadata().build())).isZero();
    }

    @Test
    void startOrdinalIsSpecOrdinalsStart() {
        assertThat(StatefulSets.startOrdinal(Workloads.redis("shop", "redis", 3, 3))).isEqualTo(3);
    }

    @Test
    void replicasDefaultToOne() {
        assertThat(StatefulSets.replicas(new StatefulSetBuilder().withNewMetadata().withName("s").endMetadata().withNewSpec().endSpec().build()))
                .isEqualTo(1);
        assertThat(StatefulSets.replicas(Workloads.redis("shop", "redis", 0, null))).isZero();
    }

    @Test
    void selectorLabelsIncludeMatchExpressionKeys() {
        StatefulSet set = new StatefulSetBuilder(Workloads.redis("shop", "redis", 3, null))
                .editSpec().editSelector()
                .addToMatchExpressions(new LabelSelectorRequirementBuilder().withKey("velero-backup-schedule").withOperator("Exists").build())
                .endSelector().endSpec().build();
        assertThat(StatefulSets.selectorLabels(set)).containsExactly(entry("app", "redis"), entry("velero-backup-schedule", ""));
    }

    @Test
    void claimNamesFollowTheControllersPattern() {
        assertThat(StatefulSets.claimNames(Workloads.redis("shop", "redis", 3, 5), 5)).containsExactly("data-redis-5");
    }

    @Test
    void podAtLooksLikeTheControllersPodAtAdmission() {
        Pod pod = StatefulSets.podAt(Workloads.redis("shop", "redis", 3, 3), 4);
        assertThat(pod.getMetadata().getName()).isEqualTo("redis-4");
        assertThat(pod.getMetadata().getGenerateName()).isEqualTo("redis-");
        assertThat(pod.getMetadata().getLabels()).contains(entry("app", "redis"),
                entry(StatefulSets.POD_NAME_LABEL, "redis-4"), entry(PodOrdinal.POD_INDEX_LABEL, "4"));
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("StatefulSet");
            assertThat(owner.getApiVersion()).isEqualTo("apps/v1");
            assertThat(owner.getName()).isEqualTo("redis");
            assertThat(owner.getController()).isTrue();
        });
        assertThat(pod.getSpec().getContainers()).extracting(c -> c.getName()).isEqualTo(List.of("redis", "metrics"));
    }

    @Test
    void essentialsAnswerEveryQuestionAsTheWholeSetDoesAndDropTheTemplate() {
        List<StatefulSet> sets = List.of(
                Workloads.redis("shop", "plain", 3, null),
                new StatefulSetBuilder(Workloads.redis("shop", "custom", 2, 4)).editMetadata().withUid("u-2").withResourceVersion("7").endMetadata()
                        .editSpec().withReplicas(null).editSelector().addToMatchExpressions(new LabelSelectorRequirementBuilder()
                                .withKey("tier").withOperator("Exists").build()).endSelector()
                        .addNewVolumeClaimTemplate().withNewMetadata().withName("logs").endMetadata().endVolumeClaimTemplate()
                        .editTemplate().editMetadata().addToAnnotations("first-ordinal.dev/skip", "true").endMetadata().endTemplate()
                        .endSpec().build(),
                new StatefulSetBuilder().withNewMetadata().withName("bare").withNamespace("shop").endMetadata().build());
        for (StatefulSet whole : sets) {
            StatefulSet slim = StatefulSets.essentials(whole);
            int start = StatefulSets.startOrdinal(whole);
            assertThat(StatefulSets.startOrdinal(slim)).isEqualTo(start);
            assertThat(StatefulSets.replicas(slim)).isEqualTo(StatefulSets.replicas(whole));
            assertThat(StatefulSets.selectorLabels(slim)).isEqualTo(StatefulSets.selectorLabels(whole));
            assertThat(StatefulSets.claimNames(slim, start)).isEqualTo(StatefulSets.claimNames(whole, start));
            assertThat(StatefulSets.podName(slim, start)).isEqualTo(StatefulSets.podName(whole, start));
            assertThat(slim.getMetadata().getUid()).isEqualTo(whole.getMetadata().getUid());
            assertThat(slim.getMetadata().getResourceVersion()).isEqualTo(whole.getMetadata().getResourceVersion());
            if (slim.getSpec() != null && slim.getSpec().getTemplate() != null) {
                assertThat(slim.getSpec().getTemplate().getSpec()).isNull();
                assertThat(slim.getSpec().getTemplate().getMetadata().getAnnotations()).containsOnlyKeys("first-ordinal.dev/skip");
            }
        }
        assertThat(StatefulSets.essentials(sets.get(1)).getSpec().getTemplate()).as("the skip annotation is kept").isNotNull();
        assertThat(StatefulSets.essentials(sets.get(0)).getSpec().getTemplate()).as("no skip annotation: no template").isNull();
    }
}
