package dev.firstordinal.ordinal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.patch.PodPatch;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CleanupTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MarkingPolicy policy = MarkingPolicy.defaults();

    private ObjectMeta overCovered(String hookCommand) {
        return new ObjectMetaBuilder().withName("redis-1")
                .addToLabels("app", "redis").addToLabels("velero-backup-schedule", "redis")
                .addToAnnotations(HookAnnotations.CONTAINER, "redis")
                .addToAnnotations(HookAnnotations.COMMAND, hookCommand)
                .addToAnnotations(HookAnnotations.TIMEOUT, "300s")
                .addToAnnotations("team", "cache")
                .build();
    }

    @Test
    void removesBackupLabelAndOurHookFromAnotherOrdinal() {
        ObjectMeta metadata = overCovered(policy.hook().command());
        Cleanup cleanup = Cleanup.of(metadata, policy, Map.of("app", "redis"));

        JsonNode pod = JSON.valueToTree(Map.of("metadata", metadata));
        JsonNode cleaned = JsonPatch.apply(PodPatch.removals(null, cleanup.labelsToRemove(), cleanup.annotationsToRemove()), pod);

        assertThat(cleaned.at("/metadata/labels").fieldNames()).toIterable().containsExactly("app");
        assertThat(cleaned.at("/metadata/annotations").fieldNames()).toIterable().containsExactly("team");
        assertThat(cleanup.keptSelectorLabels()).isEmpty();
    }

    @Test
    void neverRemovesALabelTheStatefulSetSelectsOn() {
        Cleanup cleanup = Cleanup.of(overCovered(policy.hook().command()), policy,
                Map.of("app", "redis", "velero-backup-schedule", "redis"));
        assertThat(cleanup.labelsToRemove()).isEmpty();
        assertThat(cleanup.keptSelectorLabels()).containsEntry("velero-backup-schedule", "redis");
    }

    @Test
    void keepsAHookTheUserWrote() {
        Cleanup cleanup = Cleanup.of(overCovered("[\"/bin/sh\",\"-c\",\"redis-cli SAVE\"]"), policy, Map.of());
        assertThat(cleanup.annotationsToRemove()).isEmpty();
        assertThat(cleanup.labelsToRemove()).containsOnlyKeys("velero-backup-schedule");
    }

    @Test
    void removalPatchFailsWhenTheValueChangedInTheMeantime() {
        ObjectMeta seen = overCovered(policy.hook().command());
        Cleanup cleanup = Cleanup.of(seen, policy, Map.of());
        ObjectMeta now = overCovered(policy.hook().command());
        now.getLabels().put("velero-backup-schedule", "changed");

        JsonNode pod = JSON.valueToTree(Map.of("metadata", now));
        assertThatThrownBy(() -> JsonPatch.apply(PodPatch.removals(null, cleanup.labelsToRemove(), cleanup.annotationsToRemove()), pod))
                .isInstanceOf(JsonPatchException.class);
    }

    @Test
    void changesNothingOnACleanPod() {
        ObjectMeta clean = new ObjectMetaBuilder().withName("redis-2").addToLabels("app", "redis").build();
        assertThat(Cleanup.of(clean, policy, Map.of()).changesPod()).isFalse();
    }
}
