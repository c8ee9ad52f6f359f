package dev.firstordinal.ordinal;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.testing.OlderHook;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hook's identity, stale hooks of first-ordinal's own, and the schedule hook mode, as the one rule decides them. */
class HookFreshnessTest {

    private static final StartOrdinalLookup ZERO = StartOrdinalLookup.ZERO;
    private final FirstOrdinalRule annotations = new FirstOrdinalRule(MarkingPolicy.defaults());
    private final FirstOrdinalRule schedule = new FirstOrdinalRule(
            MarkingPolicy.of("velero-backup-schedule", "redis", "Fail", "300s", "none", "schedule"));

    private static Pod pod(String name, Map<String, String> labels, Map<String, String> annotations) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withLabels(labels).withAnnotations(annotations)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName("redis").withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().addNewContainer().withName("metrics").withImage("exporter").endContainer()
                .addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec()
                .build();
    }

    private static Map<String, String> with(Map<String, String> map, String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    @Test
    void theHookCarriesItsIdentityAndTheIdentityFollowsTheScriptAndSettings() {
        Decision decision = annotations.decide(pod("redis-0", Map.of(), Map.of()), "ns", ZERO);
        String identity = annotations.policy().hook().identity();

        assertThat(decision.annotationsToAdd()).containsEntry(HookAnnotations.IDENTITY, identity).containsKeys(HookAnnotations.KEYS.toArray(String[]::new));
        assertThat(identity).matches("[0-9a-f]{12}");
        assertThat(MarkingPolicy.of("velero-backup-schedule", "redis", "Continue", "300s").hook().identity()).isNotEqualTo(identity);
        assertThat(MarkingPolicy.of("velero-backup-schedule", "redis", "Fail", "600s").hook().identity()).isNotEqualTo(identity);
        assertThat(MarkingPolicy.of("other-label", "x", "Fail", "300s").hook().identity()).isEqualTo(identity);
    }

    @Test
    void aPodWithTheCurrentHookIsLeftAsItIs() {
        Map<String, String> current = annotations.policy().hook().forContainer("redis");
        Decision decision = annotations.decide(pod("redis-0", Map.of("velero-backup-schedule", "redis"), current), "ns", ZERO);

        assertThat(decision.isStale()).isFalse();
        assertThat(decision.changesPod()).isFalse();
    }

    @Test
    void anOlderVersionsHookIsStaleAndReplacedByTheCurrentOne() {
        Map<String, String> old = with(OlderHook.annotations(), "team.example/owner", "cache");
        Decision decision = annotations.decide(pod("redis-0", Map.of("velero-backup-schedule", "redis"), old), "ns", ZERO);

        assertThat(decision.staleAnnotations()).isEqualTo(OlderHook.annotations());
        assertThat(decision.annotationsToAdd()).isEqualTo(annotations.policy().hook().forContainer("redis"));
        assertThat(decision.labelsToAdd()).isEmpty();
        assertThat(decision.changesPod()).isTrue();
    }

    @Test
    void atAdmissionAStaleHookIsKeptAsAnyHookIsAndLeftForTheRepairer() {
        for (FirstOrdinalRule rule : new FirstOrdinalRule[]{annotations, schedule}) {
            Decision decision = rule.decide(pod("redis-0", Map.of(), OlderHook.annotations()), "ns", ZERO);

            Decision admitted = decision.atAdmission();

            assertThat(decision.isStale()).isTrue();
            assertThat(admitted.isStale()).isFalse();
            assertThat(admitted.annotationsToAdd()).isEmpty();
            assertThat(admitted.labelsToAdd()).isEqualTo(Map.of("velero-backup-schedule", "redis"));
        }
    }

    @Test
    void aHookWithTheCurrentIdentityButAnotherTimeoutIsStale() {
        Map<String, String> edited = with(annotations.policy().hook().forContainer("redis"), HookAnnotations.TIMEOUT, "30s");

        Decision decision = annotations.decide(pod("redis-0", Map.of("velero-backup-schedule", "redis"), edited), "ns", ZERO);

        assertThat(decision.staleAnnotations()).containsEntry(HookAnnotations.TIMEOUT, "30s").hasSize(5);
        assertThat(decision.annotationsToAdd()).containsEntry(HookAnnotations.TIMEOUT, "300s");
    }

    @Test
    void aUsersHookIsNeverStaleInEitherMode() {
        Map<String, String> users = Map.of(HookAnnotations.COMMAND, "[\"/bin/sh\",\"-c\",\"redis-cli SAVE\"]");
        for (FirstOrdinalRule rule : new FirstOrdinalRule[]{annotations, schedule}) {
            Decision decision = rule.decide(pod("redis-0", Map.of(), users), "ns", ZERO);

            assertThat(decision.isStale()).isFalse();
            assertThat(decision.annotationsToAdd()).isEmpty();
            assertThat(decision.labelsToAdd()).containsOnlyKeys("velero-backup-schedule");
        }
    }

    @Test
    void scheduleModeAddsOnlyTheLabelsAndNamesTheHooksContainer() {
        Decision decision = schedule.decide(pod("redis-0", Map.of(), Map.of()), "ns", ZERO);

        assertThat(decision.labelsToAdd()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "velero-backup-schedule", "redis", ScheduleHook.CONTAINER_LABEL, "redis"));
        assertThat(decision.annotationsToAdd()).isEmpty();
        assertThat(schedule.decide(pod("redis-1", Map.of(), Map.of()), "ns", ZERO).changesPod()).isFalse();
    }

    @Test
    void inScheduleModeOurHookAnnotationsAreStaleAndGiveWayToTheContainerLabel() {
        Map<String, String> ours = annotations.policy().hook().forContainer("redis");

        Decision decision = schedule.decide(pod("redis-0", Map.of("velero-backup-schedule", "redis"), ours), "ns", ZERO);

        assertThat(decision.staleAnnotations()).isEqualTo(ours);
        assertThat(decision.annotationsToAdd()).isEmpty();
        assertThat(decision.labelsToAdd()).isEqualTo(Map.of(ScheduleHook.CONTAINER_LABEL, "redis"));
    }

    @Test
    void inAnnotationsModeTheScheduleModesContainerLabelIsStale() {
        Decision decision = annotations.decide(pod("redis-0",
                Map.of("velero-backup-schedule", "redis", ScheduleHook.CONTAINER_LABEL, "redis"), Map.of()), "ns", ZERO);

        assertThat(decision.staleLabels()).isEqualTo(Map.of(ScheduleHook.CONTAINER_LABEL, "redis"));
        assertThat(decision.annotationsToAdd()).isEqualTo(annotations.policy().hook().forContainer("redis"));
    }

    @Test
    void cleanupTakesTheIdentityAndTheContainerLabelOffOtherOrdinals() {
        Map<String, String> ours = annotations.policy().hook().forContainer("redis");
        Pod other = pod("redis-1", Map.of(ScheduleHook.CONTAINER_LABEL, "redis"), ours);

        Cleanup cleanup = Cleanup.of(other.getMetadata(), annotations.policy(), Map.of());

        assertThat(cleanup.annotationsToRemove()).isEqualTo(ours);
        assertThat(cleanup.labelsToRemove()).isEqualTo(Map.of(ScheduleHook.CONTAINER_LABEL, "redis"));
    }
}
