package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.patch.PodPatch;
import dev.firstordinal.testing.ApiServerPatch;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/examples/redis-sentinel is marked correctly: its pods, rendered the way the StatefulSet
 * controller creates them, go through the namespaceSelector, the CEL matchCondition and
 * {@link FirstOrdinalRule#decide}, and exactly ordinal 0 ends up selected by the Velero Schedule.
 */
class ExampleStatefulSetTest {

    private static final List<HasMetadata> EXAMPLE = DeployTree.kustomizations().stream()
            .filter(k -> k.getParent().equals(DeployTree.EXAMPLE))
            .flatMap(k -> KustomizationsTest.references(KubernetesYaml.documents(k).get(0)).stream())
            .flatMap(r -> KubernetesYaml.objects(DeployTree.EXAMPLE.resolve(r)).stream())
            .toList();
    private static final StatefulSet STATEFUL_SET = KubernetesYaml.only(EXAMPLE, StatefulSet.class);
    private static final Namespace NAMESPACE = KubernetesYaml.only(EXAMPLE, Namespace.class);
    private static final FirstOrdinalRule RULE = new FirstOrdinalRule(MarkingPolicy.defaults());

    /** A pod as the StatefulSet controller sends it to admission: name, generateName, labels, controller owner; no uid yet. */
    static Pod podOf(StatefulSet set, int ordinal) {
        String name = set.getMetadata().getName() + "-" + ordinal;
        Map<String, String> labels = new LinkedHashMap<>(set.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("statefulset.kubernetes.io/pod-name", name);
        labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder(set.getSpec().getTemplate().getMetadata())
                        .withName(name)
                        .withGenerateName(set.getMetadata().getName() + "-")
                        .withNamespace(set.getMetadata().getNamespace())
                        .withLabels(labels)
                        .addNewOwnerReference()
                        .withApiVersion("apps/v1").withKind("StatefulSet").withName(set.getMetadata().getName())
                        .withUid("5f0c2f4e-0000-4000-8000-000000000001").withController(true).withBlockOwnerDeletion(true)
                        .endOwnerReference()
                        .build())
                .withSpec(KubernetesYaml.SERIALIZATION.clone(set.getSpec().getTemplate().getSpec()))
                .build();
    }

    private static int startOrdinal() {
        return STATEFUL_SET.getSpec().getOrdinals() == null ? 0 : STATEFUL_SET.getSpec().getOrdinals().getStart();
    }

    private static List<Pod> pods() {
        int start = startOrdinal();
        return IntStream.range(start, start + STATEFUL_SET.getSpec().getReplicas()).mapToObj(i -> podOf(STATEFUL_SET, i)).toList();
    }

    private static final StartOrdinalLookup FROM_EXAMPLE = (namespace, name) -> {
        assertThat(namespace).isEqualTo(STATEFUL_SET.getMetadata().getNamespace());
        assertThat(name).isEqualTo(STATEFUL_SET.getMetadata().getName());
        return StartOrdinalLookup.StartOrdinal.of(startOrdinal());
    };

    @Test
    void exampleIsAThreeReplicaRedisShardWithSentinel() {
        assertThat(STATEFUL_SET.getMetadata().getName()).isEqualTo("redis-shard-0");
        assertThat(STATEFUL_SET.getSpec().getReplicas()).isEqualTo(3);
        assertThat(STATEFUL_SET.getSpec().getSelector().getMatchLabels()).containsExactly(Map.entry("app", "redis-shard-0"));
        assertThat(STATEFUL_SET.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName, Container::getImage)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("redis", "redis:7.2"), org.assertj.core.groups.Tuple.tuple("sentinel", "redis:7.2"));
        assertThat(STATEFUL_SET.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName()).containsExactly("data");
        assertThat(NAMESPACE.getMetadata().getLabels()).containsEntry(Expectations.OPT_IN_KEY, Expectations.OPT_IN_VALUE);
        assertThat(STATEFUL_SET.getMetadata().getNamespace()).isEqualTo(NAMESPACE.getMetadata().getName());
    }

    @Test
    void everyPodOfTheExampleReachesTheWebhook() {
        MutatingWebhook webhook = KubernetesYaml.only(KubernetesYaml.objects(DeployTree.BASE.resolve("mutatingwebhookconfiguration.yaml")),
                MutatingWebhookConfiguration.class).getWebhooks().get(0);
        String expression = webhook.getMatchConditions().get(0).getExpression();

        assertThat(Expectations.selects(webhook, NAMESPACE.getMetadata().getName(), NAMESPACE.getMetadata().getLabels()))
                .as("namespaceSelector selects the example's namespace").isTrue();
        for (Pod pod : pods()) {
            JsonNode json = KubernetesYaml.SERIALIZATION.convertValue(pod, JsonNode.class);
            assertThat(MatchConditionTest.evaluate(expression, json)).as(pod.getMetadata().getName()).isTrue();
        }
    }

    @Test
    void onlyOrdinalZeroIsMarkedWithTheHookInContainerRedis() {
        List<Pod> pods = pods();
        assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly("redis-shard-0-0", "redis-shard-0-1", "redis-shard-0-2");

        Decision first = RULE.decide(pods.get(0), "redis", FROM_EXAMPLE);
        assertThat(first.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(first.labelsToAdd()).containsExactly(Map.entry(MarkingPolicy.DEFAULT_LABEL_KEY, MarkingPolicy.DEFAULT_LABEL_VALUE));
        assertThat(first.annotationsToAdd()).containsEntry(HookAnnotations.CONTAINER, "redis")
                .containsKeys(HookAnnotations.COMMAND, HookAnnotations.ON_ERROR, HookAnnotations.TIMEOUT);
        assertThat(first.warnings()).isEmpty();
        for (Pod other : pods.subList(1, pods.size())) {
            Decision decision = RULE.decide(other, "redis", FROM_EXAMPLE);
            assertThat(decision.verdict()).as(other.getMetadata().getName()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
            assertThat(decision.changesPod()).as(other.getMetadata().getName()).isFalse();
        }
    }

    @Test
    void veleroScheduleSelectsExactlyTheMarkedFirstOrdinal() {
        LabelSelector schedule = VeleroScheduleTest.scheduleLabelSelector();

        List<String> selected = pods().stream()
                .map(pod -> {
                    Decision decision = RULE.decide(pod, "redis", FROM_EXAMPLE);
                    JsonNode json = KubernetesYaml.SERIALIZATION.convertValue(pod, JsonNode.class);
                    JsonNode patched = ApiServerPatch.apply(PodPatch.additions(pod.getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd()), json);
                    return KubernetesYaml.SERIALIZATION.convertValue(patched, Pod.class);
                })
                .filter(p -> LabelSelectors.matches(schedule, p.getMetadata().getLabels()))
                .map(p -> p.getMetadata().getName())
                .toList();

        assertThat(selected).containsExactly("redis-shard-0-0");
    }

    @Test
    void claimsCarryTheSelectorTheRunbookRestoresWithButNotTheBackupLabel() {
        Map<String, String> claimLabels = claimLabels(STATEFUL_SET, "data");

        assertThat(claimLabels).containsEntry("app", "redis-shard-0").doesNotContainKey(MarkingPolicy.DEFAULT_LABEL_KEY);
        assertThat(DeployTree.read(DeployTree.VELERO.resolve("RESTORE.md"))).contains("--selector \"app=$SHARD\"").contains("SHARDS=\"redis-shard-0 ");
    }

    @Test
    void redisRunsRdbOnlySoARestoreLoadsTheHooksRdb() {
        ConfigMap config = KubernetesYaml.only(EXAMPLE, ConfigMap.class);

        assertThat(config.getData().get("redis.conf")).contains("appendonly no").contains("dir /data");
        STATEFUL_SET.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .flatMap(v -> v.getConfigMap().getItems().stream())
                .forEach(item -> assertThat(config.getData()).as("ConfigMap key mounted by the StatefulSet").containsKey(item.getKey()));
        Container redis = STATEFUL_SET.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(redis.getVolumeMounts()).anyMatch(m -> m.getName().equals("data") && m.getMountPath().equals("/data"));
    }

    /** The labels the StatefulSet controller gives a claim: the claim template's plus the set's selector's. */
    static Map<String, String> claimLabels(StatefulSet set, String template) {
        PersistentVolumeClaim claim = set.getSpec().getVolumeClaimTemplates().stream()
                .filter(c -> c.getMetadata().getName().equals(template)).findFirst().orElseThrow();
        Map<String, String> labels = new LinkedHashMap<>();
        if (claim.getMetadata().getLabels() != null) {
            labels.putAll(claim.getMetadata().getLabels());
        }
        labels.putAll(set.getSpec().getSelector().getMatchLabels());
        return labels;
    }
}
