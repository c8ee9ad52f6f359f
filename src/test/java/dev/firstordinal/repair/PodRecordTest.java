package dev.firstordinal.repair;

import dev.firstordinal.cluster.PackedStore;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.testing.OlderHook;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PodRecordTest {

    private static final MarkingPolicy POLICY = MarkingPolicy.defaults();
    private static final String COMMAND = "pre.hook.backup.velero.io/command";
    private final FirstOrdinalRule rule = new FirstOrdinalRule(POLICY);
    private final PackedStore<Pod, PodRecord> store = PodRecord.store(POLICY);
    private final StatefulSet set = new StatefulSetBuilder(Workloads.redis("ns", "mv", 3, null)).editMetadata().withUid("set-uid")
            .endMetadata().build();

    /** As the client hands it out: parsed from JSON, so no string is shared with the policy's. */
    private static Pod parsed(Pod pod) {
        return Serialization.unmarshal(Serialization.asJson(pod), Pod.class);
    }

    private Pod pod(int ordinal) {
        return new PodBuilder(Workloads.pod(set, ordinal)).editMetadata().withNamespace("ns").withResourceVersion("7")
                .withUid("pod-uid-" + ordinal).withCreationTimestamp("2026-12-06T10:00:00Z").endMetadata().build();
    }

    private Pod marked(Pod pod, Map<String, String> hook) {
        return new PodBuilder(pod).editMetadata().addToLabels(POLICY.labelKey(), POLICY.labelValue()).addToAnnotations(hook)
                .endMetadata().build();
    }

    private Pod keptCopy(Pod pod) {
        store.put(store.getKey(pod), pod);
        return store.get(store.getKey(pod));
    }

    @Test
    void keepsTheHookCommandOfEveryMarkedPodAsTheOneInstanceThePolicyHolds() {
        Pod first = keptCopy(parsed(marked(pod(0), POLICY.hook().forContainer("redis"))));
        Pod other = keptCopy(parsed(marked(pod(1), POLICY.hook().forContainer("redis"))));

        assertThat(first.getMetadata().getAnnotations().get(COMMAND)).isSameAs(POLICY.hook().command());
        assertThat(other.getMetadata().getAnnotations().get(COMMAND)).isSameAs(POLICY.hook().command());
    }

    @Test
    void keepsAnotherHookCommandAsItCame() {
        Pod old = parsed(marked(pod(0), OlderHook.annotations()));

        assertThat(keptCopy(old).getMetadata().getAnnotations()).isEqualTo(old.getMetadata().getAnnotations());
    }

    @Test
    void theRepairPlannedFromTheKeptCopiesIsTheOnePlannedFromTheWholePods() {
        List<List<Pod>> cases = List.of(
                List.of(pod(0), pod(1), pod(2)),                                           // first ordinal unmarked
                List.of(marked(pod(0), POLICY.hook().forContainer("redis")), marked(pod(1), POLICY.hook().forContainer("redis")), pod(2)),
                List.of(marked(pod(0), OlderHook.annotations()), pod(1), pod(2)),          // a stale hook
                List.of(new PodBuilder(pod(0)).editMetadata().withAnnotations(null).withLabels(null).endMetadata().build(), pod(1)));
        for (List<Pod> pods : cases) {
            List<Pod> whole = pods.stream().map(PodRecordTest::parsed).toList();
            List<Pod> kept = whole.stream().map(this::keptCopy).toList();

            assertThat(describe(RepairPlan.of(set, kept, rule))).isEqualTo(describe(RepairPlan.of(set, whole, rule))).isNotEmpty();
        }
    }

    @Test
    void keepsAbsentMapsAbsentAndOnlyTheControllersOwnerReference() {
        Pod bare = (new PodBuilder(pod(0)).editMetadata().withAnnotations(null)
                .addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName("x").withUid("u")
                        .build())
                .endMetadata().build());

        Pod kept = keptCopy(bare);

        assertThat(kept.getMetadata().getAnnotations()).isNull();
        assertThat(keptCopy(parsed(bare)).getMetadata().getAnnotations()).isEqualTo(parsed(bare).getMetadata().getAnnotations());
        assertThat(kept.getMetadata().getLabels()).isEqualTo(bare.getMetadata().getLabels());
        assertThat(kept.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("StatefulSet");
            assertThat(owner.getUid()).isEqualTo("set-uid");
            assertThat(owner.getController()).isTrue();
        });
        assertThat(kept.getSpec().getContainers()).extracting(c -> c.getName() + "=" + c.getImage())
                .isEqualTo(bare.getSpec().getContainers().stream().map(c -> c.getName() + "=" + c.getImage()).toList());
        assertThat(kept).isNotSameAs(store.get(store.getKey(bare))); // a new copy per read: a reader may change it
    }

    @Test
    void theInformersOwnListOfTheStoreHoldsOnlyIdentityResourceVersionAndController() {
        keptCopy(parsed(marked(pod(0), POLICY.hook().forContainer("redis"))));
        keptCopy(parsed(pod(1)));

        List<Pod> listed = store.values().toList();

        assertThat(listed).hasSize(2).allSatisfy(pod -> {
            assertThat(store.getKey(pod)).isIn("ns/mv-0", "ns/mv-1");
            assertThat(pod.getMetadata().getResourceVersion()).isEqualTo("7");
            assertThat(pod.getMetadata().getUid()).startsWith("pod-uid-");
            assertThat(ownerOf(pod)).isEqualTo("StatefulSet mv set-uid");
            assertThat(pod.getMetadata().getAnnotations()).isEmpty();
            assertThat(pod.getMetadata().getLabels()).isEmpty();
            assertThat(pod.getSpec()).isNull();
        });
    }

    @Test
    void readersStreamTheWholeKeptCopies() {
        Pod first = parsed(marked(pod(0), POLICY.hook().forContainer("redis")));
        keptCopy(first);

        assertThat(store.unpacked().toList()).singleElement().satisfies(pod -> {
            assertThat(pod.getMetadata().getAnnotations()).isEqualTo(first.getMetadata().getAnnotations());
            assertThat(pod.getMetadata().getLabels()).isEqualTo(first.getMetadata().getLabels());
            assertThat(pod.getSpec().getContainers()).extracting(c -> c.getName()).contains("redis");
        });
    }

    private static String ownerOf(Pod pod) {
        return dev.firstordinal.ordinal.StatefulSetOwner.controllerOf(pod.getMetadata())
                .map(owner -> "StatefulSet " + owner.name() + " " + pod.getMetadata().getOwnerReferences().get(0).getUid())
                .orElse("none");
    }

    private static List<String> describe(RepairPlan plan) {
        return plan.repairs().stream().map(r -> r.fix().pod() + " " + r.cause() + " " + r.fix().patch()).toList();
    }
}
