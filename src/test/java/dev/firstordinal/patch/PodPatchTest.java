package dev.firstordinal.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodPatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRemovalOfAValueTheApiServerEscapesIsGuardedByTheResourceVersionAlone() throws Exception {
        String script = "[\"/bin/sh\",\"-c\",\"redis-cli BGSAVE >/dev/null 2>&1 && echo ok\"]";
        ArrayNode patch = PodPatch.removals("42", Map.of("velero-backup-schedule", "redis"), Map.of("pre.hook.backup.velero.io/command", script));

        assertThat(patch.toString()).isEqualTo("[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"},"
                + "{\"op\":\"test\",\"path\":\"/metadata/labels/velero-backup-schedule\",\"value\":\"redis\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/labels/velero-backup-schedule\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/annotations/pre.hook.backup.velero.io~1command\"}]");
        JsonNode changed = JSON.readTree("{\"metadata\":{\"resourceVersion\":\"43\",\"labels\":{\"velero-backup-schedule\":\"redis\"},"
                + "\"annotations\":{\"pre.hook.backup.velero.io/command\":\"x\"}}}");
        assertThatThrownBy(() -> JsonPatch.apply(patch, changed)).as("a pod changed since it was read").isInstanceOf(JsonPatchException.class);
        assertThat(PodPatch.comparableByTheApiServer("redis")).isTrue();
        assertThat(PodPatch.comparableByTheApiServer("a<b")).isFalse();
        assertThat(PodPatch.comparableByTheApiServer("a&b")).isFalse();
    }

    @Test
    void addsAnnotationsMapWhenPodHasNone() throws Exception {
        ObjectMeta metadata = new ObjectMetaBuilder().withName("redis-0").build();
        ArrayNode patch = PodPatch.additions(metadata, Map.of(), Map.of("a/b", "1"));
        assertThat(patch.toString()).isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a/b\":\"1\"}}]");
        JsonNode applied = JsonPatch.apply(patch, JSON.readTree("{\"metadata\":{\"name\":\"redis-0\"}}"));
        assertThat(applied.at("/metadata/annotations/a~1b").asText()).isEqualTo("1");
    }

    @Test
    void aKeyByKeyAddIntoAMissingMapIsWhatTheApiServerRejects() throws Exception {
        ArrayNode keyByKey = PodPatch.additions(new ObjectMetaBuilder().addToAnnotations("x", "y").build(), Map.of(), Map.of("a", "1"));
        assertThatThrownBy(() -> JsonPatch.apply(keyByKey, JSON.readTree("{\"metadata\":{}}"))).isInstanceOf(JsonPatchException.class);
    }

    @Test
    void escapesSlashAndTildeInKeys() {
        Map<String, String> add = new LinkedHashMap<>();
        add.put("example.com/a~b", "v");
        ArrayNode patch = PodPatch.additions(new ObjectMetaBuilder().addToLabels("x", "y").build(), add, Map.of());
        assertThat(patch.get(0).get("path").asText()).isEqualTo("/metadata/labels/example.com~1a~0b");
    }

    @Test
    void isEmptyWhenThereIsNothingToAdd() {
        assertThat(PodPatch.additions(new ObjectMeta(), Map.of(), Map.of())).isEmpty();
    }

    @Test
    void escapesTildeBeforeSlash() {
        assertThat(JsonPointers.escape("~1/")).isEqualTo("~01~1");
    }
}
