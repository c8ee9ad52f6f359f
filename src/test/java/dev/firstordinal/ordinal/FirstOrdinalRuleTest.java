package dev.firstordinal.ordinal;

import dev.firstordinal.hook.HookAnnotations;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FirstOrdinalRuleTest {

    private final FirstOrdinalRule rule = new FirstOrdinalRule(MarkingPolicy.defaults());

    private static Pod pod(String name, String owner) {
        return new PodBuilder()
                .withNewMetadata().withName(name)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName(owner).withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec()
                .build();
    }

    private static Pod withLabel(Pod pod, String key, String value) {
        return new PodBuilder(pod).editMetadata().addToLabels(key, value).endMetadata().build();
    }

    /** Issue 30 #1: Bitnami's replication architecture is one shard in two sets; only the master set is backed up. */
    @Test
    void leavesTheReplicaTierOfBitnamisReplicationLayoutAloneAndMarksItsMaster() {
        Pod master = withLabel(pod("cache-master-0", "cache-master"), "app.kubernetes.io/component", "master");
        Pod replica = withLabel(pod("cache-replicas-0", "cache-replicas"), "app.kubernetes.io/component", "replica");

        Decision masters = rule.decide(master, "shop", StartOrdinalLookup.ZERO);
        Decision replicas = rule.decide(replica, "shop", StartOrdinalLookup.ZERO);

        assertThat(masters.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(replicas.verdict()).isEqualTo(Decision.Verdict.NOT_OURS);
        assertThat(replicas.changesPod()).isFalse();
        assertThat(replicas.reason()).startsWith("replica tier (pod label app.kubernetes.io/component=replica)");
        assertThat(rule.leftAlone(replica.getMetadata().getLabels(), Map.of())).contains(replicas.reason());
    }

    @Test
    void theReplicaTierLabelsAreASettingAndNoneTurnsTheRuleOff() {
        Pod bitnami = withLabel(pod("cache-replicas-0", "cache-replicas"), "app.kubernetes.io/component", "replica");
        Pod other = withLabel(pod("kv-replica-0", "kv-replica"), "example.com/role", "follower");
        FirstOrdinalRule custom = new FirstOrdinalRule(MarkingPolicy.of("velero-backup-schedule", "redis", "Fail", "300s",
                "example.com/role=follower, tier=replica"));
        FirstOrdinalRule off = new FirstOrdinalRule(MarkingPolicy.of("velero-backup-schedule", "redis", "Fail", "300s", "none"));

        assertThat(custom.decide(other, "ns", StartOrdinalLookup.ZERO).verdict()).isEqualTo(Decision.Verdict.NOT_OURS);
        assertThat(custom.decide(bitnami, "ns", StartOrdinalLookup.ZERO).verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(off.decide(bitnami, "ns", StartOrdinalLookup.ZERO).verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(custom.policy().replicaTier().setting()).isEqualTo("example.com/role=follower,tier=replica");
    }

    @Test
    void marksPodWhoseOrdinalIsTheStatefulSetsStartOrdinal() {
        StartOrdinalLookup startsAtThree = (namespace, sts) -> StartOrdinalLookup.StartOrdinal.of(3);

        Decision third = rule.decide(pod("redis-3", "redis"), "ns", startsAtThree);
        Decision zeroth = rule.decide(pod("redis-0", "redis"), "ns", startsAtThree);

        assertThat(third.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(third.labelsToAdd()).containsEntry("velero-backup-schedule", "redis");
        assertThat(zeroth.verdict()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
        assertThat(zeroth.changesPod()).isFalse();
    }

    @Test
    void asksTheLookupWithTheRequestNamespaceAndOwnerName() {
        String[] asked = new String[2];
        rule.decide(pod("shard-a-0", "shard-a"), "redis-prod", (namespace, sts) -> {
            asked[0] = namespace;
            asked[1] = sts;
            return StartOrdinalLookup.StartOrdinal.of(0);
        });
        assertThat(asked).containsExactly("redis-prod", "shard-a");
    }

    @Test
    void passesOnTheLookupsWarningWhenTheStartOrdinalIsAGuess() {
        Decision decision = rule.decide(pod("redis-0", "redis"), "ns",
                (namespace, sts) -> StartOrdinalLookup.StartOrdinal.guessed(0, "StatefulSet ns/redis not found; assuming 0"));
        assertThat(decision.warnings()).containsExactly("StatefulSet ns/redis not found; assuming 0");
        assertThat(decision.changesPod()).isTrue();
    }

    @Test
    void flagsDecisionsMadeOnAGuessedStartOrdinalForFirstAndOtherOrdinals() {
        StartOrdinalLookup guess = (namespace, sts) -> StartOrdinalLookup.StartOrdinal.guessed(0, "not cached; assuming 0");

        assertThat(rule.decide(pod("redis-0", "redis"), "ns", guess).startOrdinalGuessed()).isTrue();
        assertThat(rule.decide(pod("redis-1", "redis"), "ns", guess).startOrdinalGuessed()).isTrue();
    }

    @Test
    void doesNotFlagDecisionsMadeOnAKnownStartOrdinalEvenWithOtherWarnings() {
        Pod pod = pod("redis-0", "redis");
        pod.getSpec().setContainers(null);
        Decision decision = rule.decide(pod, "ns", StartOrdinalLookup.ZERO);

        assertThat(decision.warnings()).isNotEmpty();
        assertThat(decision.startOrdinalGuessed()).isFalse();
        assertThat(rule.decide(pod("redis-1", "redis"), "ns", StartOrdinalLookup.ZERO).startOrdinalGuessed()).isFalse();
    }

    @Test
    void addsLabelButNoHookWhenPodHasNoContainers() {
        Pod pod = pod("redis-0", "redis");
        pod.getSpec().setContainers(null);
        Decision decision = rule.decide(pod, "ns", StartOrdinalLookup.ZERO);
        assertThat(decision.labelsToAdd()).isNotEmpty();
        assertThat(decision.annotationsToAdd()).isEmpty();
        assertThat(decision.warnings()).singleElement().asString().contains("no containers");
    }

    @Test
    void leavesPodWithoutMetadataAlone() {
        assertThat(rule.decide(new Pod(), "ns", StartOrdinalLookup.ZERO).verdict()).isEqualTo(Decision.Verdict.NOT_OURS);
    }

    @Test
    void usesConfiguredLabelAndHookSettings() {
        FirstOrdinalRule custom = new FirstOrdinalRule(MarkingPolicy.of("backup.example.com/schedule", "shards", "Continue", "10m"));
        Decision decision = custom.decide(pod("redis-0", "redis"), "ns", StartOrdinalLookup.ZERO);
        assertThat(decision.labelsToAdd()).isEqualTo(Map.of("backup.example.com/schedule", "shards"));
        assertThat(decision.annotationsToAdd())
                .containsEntry(HookAnnotations.ON_ERROR, "Continue")
                .containsEntry(HookAnnotations.TIMEOUT, "10m");
    }
}
