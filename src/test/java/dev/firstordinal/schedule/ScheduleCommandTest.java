package dev.firstordinal.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.firstordinal.hook.HookScript;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.ordinal.MarkingPolicy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleCommandTest {

    private static final Path SHIPPED = Path.of("deploy/velero/schedule-hooks.yaml");
    private static final Path ANNOTATIONS_MODE_SCHEDULE = Path.of("deploy/velero/schedule.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return dev.firstordinal.cli.CommandRunner.run(new ScheduleCommand(), List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void theShippedScheduleIsExactlyWhatTheCommandRendersFromTheDefaults() throws Exception {
        assertThat(run()).isZero();
        assertThat(Files.readString(SHIPPED))
                .as("deploy/velero/schedule-hooks.yaml is stale: regenerate it with `first-ordinal schedule > deploy/velero/schedule-hooks.yaml`")
                .isEqualTo(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void itBacksUpWhatTheAnnotationsModesScheduleBacksUpAndAddsOnlyTheHooks() throws Exception {
        JsonNode hooks = YAML.readTree(SHIPPED.toFile());
        JsonNode plain = YAML.readTree(ANNOTATIONS_MODE_SCHEDULE.toFile());

        ObjectNode template = hooks.at("/spec/template").deepCopy();
        template.remove("hooks");
        assertThat(template).isEqualTo(plain.at("/spec/template"));
        assertThat(hooks.at("/spec/schedule")).isEqualTo(plain.at("/spec/schedule"));
        assertThat(hooks.at("/metadata/name")).as("same name: applying one replaces the other").isEqualTo(plain.at("/metadata/name"));
    }

    @Test
    void oneHookEntryPerContainerSelectingTheBackupLabelAndTheContainerLabel() throws Exception {
        assertThat(run("--containers", "redis,valkey,cache", "--label-value", "nightly", "--hook-timeout", "10m",
                "--hook-on-error", "Continue")).isZero();
        JsonNode resources = YAML.readTree(out.toString(StandardCharsets.UTF_8)).at("/spec/template/hooks/resources");

        List<String> containers = new ArrayList<>();
        for (JsonNode entry : resources) {
            String container = entry.at("/pre/0/exec/container").asText();
            containers.add(container);
            assertThat(entry.at("/labelSelector/matchLabels")).isEqualTo(YAML.createObjectNode()
                    .put("velero-backup-schedule", "nightly").put(ScheduleHook.CONTAINER_LABEL, container));
            assertThat(YAML.convertValue(entry.at("/pre/0/exec/command"), List.class))
                    .isEqualTo(HookScript.argv(Duration.ofMinutes(10)));
            assertThat(entry.at("/pre/0/exec/onError").asText()).isEqualTo("Continue");
            assertThat(entry.at("/pre/0/exec/timeout").asText()).isEqualTo("10m");
        }
        assertThat(containers).containsExactly("redis", "valkey", "cache");
        assertThat(YAML.readTree(out.toString(StandardCharsets.UTF_8)).at("/metadata/annotations/first-ordinal.dev~1hook").asText())
                .isEqualTo(MarkingPolicy.of("velero-backup-schedule", "nightly", "Continue", "10m").hook().identity());
    }

    @Test
    void aContainerNameThatCannotBeALabelValueIsAUsageError() {
        assertThat(run("--containers", "redis,Not A Name")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("first-ordinal schedule: container name 'Not A Name' is not a valid label value");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
