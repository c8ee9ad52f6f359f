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
}
