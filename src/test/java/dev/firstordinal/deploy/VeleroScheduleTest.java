package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.hook.GoDuration;
import dev.firstordinal.ordinal.MarkingPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Velero Schedule (manifest and Helm values) and the restore runbook's commands. */
class VeleroScheduleTest {

    private static final String RESTORE_MD = DeployTree.read(DeployTree.VELERO.resolve("RESTORE.md"));

    static GenericKubernetesResource schedule() {
        return (GenericKubernetesResource) KubernetesYaml.objects(DeployTree.VELERO.resolve("schedule.yaml")).get(0);
    }

    static LabelSelector scheduleLabelSelector() {
        return KubernetesYaml.SERIALIZATION.convertValue(schedule().get("spec", "template", "labelSelector"), LabelSelector.class);
    }

    private static JsonNode scheduleJson() {
        return KubernetesYaml.SERIALIZATION.convertValue(schedule(), JsonNode.class);
    }

    @Test
    void scheduleSelectsTheLabelTheWebhookAddsWithItsClaimsAndVolumes() {
        GenericKubernetesResource schedule = schedule();
        JsonNode template = scheduleJson().at("/spec/template");

        assertThat(schedule.getApiVersion()).isEqualTo("velero.io/v1");
        assertThat(schedule.getKind()).isEqualTo("Schedule");
        assertThat(schedule.getMetadata().getNamespace()).isEqualTo("velero");
        assertThat(scheduleLabelSelector().getMatchLabels())
                .containsExactly(java.util.Map.entry(MarkingPolicy.DEFAULT_LABEL_KEY, MarkingPolicy.DEFAULT_LABEL_VALUE));
        assertThat(scheduleLabelSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(texts(template.get("includedResources"))).containsExactlyInAnyOrder("pods", "persistentvolumeclaims", "persistentvolumes");
        assertThat(texts(template.get("includedNamespaces"))).containsExactly("*");
        assertThat(template.get("snapshotVolumes").asBoolean()).isTrue();
        assertThat(template.get("defaultVolumesToFsBackup").asBoolean()).isFalse();
        assertThat(template.has("includeClusterResources")).as("unset: PVs of included claims come along").isFalse();
        assertThat(template.has("hooks")).as("the pods' annotation hooks run; none here").isFalse();
        assertThat(scheduleJson().at("/spec/useOwnerReferencesInBackup").asBoolean()).isFalse();
    }

    @Test
    void ttlIsAGoDurationOfAtLeastADay() {
        Duration ttl = GoDuration.parse(scheduleJson().at("/spec/template/ttl").asText()).duration();

        assertThat(ttl).isGreaterThanOrEqualTo(Duration.ofDays(1));
        assertThat(ttl).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void scheduleRunsTwiceADayTwelveHoursApart() {
        List<Integer> runs = dailyRunMinutes(scheduleJson().at("/spec/schedule").asText());

        assertThat(runs).hasSize(2);
        assertThat(runs.get(1) - runs.get(0)).isEqualTo(12 * 60);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"'0 3,15 * * *', 2", "'0 */12 * * *', 2", "'30 2 * * *', 1", "'0 */6 * * *', 4", "'*/30 1 * * *', 2"})
    void dailyRunsAreCountedFromMinuteAndHourFields(String cron, int runs) {
        assertThat(dailyRunMinutes(cron)).hasSize(runs);
    }

    @Test
    void veleroChartValuesHoldTheSameSchedule() {
        JsonNode values = KubernetesYaml.documents(DeployTree.VELERO.resolve("velero-values.yaml")).get(0);
        JsonNode schedule = values.at("/schedules/redis-first-ordinal");

        assertThat(schedule.get("disabled").asBoolean()).isFalse();
        assertThat(schedule.get("schedule").asText()).isEqualTo(scheduleJson().at("/spec/schedule").asText());
        assertThat(schedule.get("useOwnerReferencesInBackup")).isEqualTo(scheduleJson().at("/spec/useOwnerReferencesInBackup"));
        assertThat(schedule.get("template")).isEqualTo(scheduleJson().at("/spec/template"));
    }

    @Test
    void everyRestoreInTheRunbookSelectsItsShardByALabelTheClaimsCarry() {
        StatefulSet example = KubernetesYaml.only(KubernetesYaml.objects(DeployTree.EXAMPLE.resolve("statefulset.yaml")), StatefulSet.class);
        var claimLabels = ExampleStatefulSetTest.claimLabels(example, "data");
        List<String> restores = commands(RESTORE_MD).stream().filter(c -> c.startsWith("velero restore create")).toList();

        assertThat(restores).hasSize(2);
        for (String restore : restores) {
            assertThat(restore).contains("--from-backup \"$BACKUP\"").doesNotContain(MarkingPolicy.DEFAULT_LABEL_KEY);
            // The selector names the shards through the runbook's variables (one with "=", all of SHARDS with "in"):
            // the example's set is one of SHARDS.
            Matcher selector = Pattern.compile("--selector \"([^\\s=\"]+)(=\\$SHARD| in \\(\\$\\(echo \\$SHARDS \\| tr ' ' ','\\)\\))\"")
                    .matcher(restore);
            assertThat(selector.find()).as("every restore selects its shards' claims: %s", restore).isTrue();
            assertThat(claimLabels).as("a restore selects claims by a label they carry")
                    .containsEntry(selector.group(1), example.getMetadata().getName());
        }
    }

    @Test
    void aSnapshotRestoreBringsClaimsAndVolumesAndAFileSystemRestoreBringsThePodToo() {
        List<String> snapshots = commands(section("#### With volume snapshots", "#### With file-system backups"));
        List<String> fileSystem = commands(section("#### With file-system backups", "## 2."));

        assertThat(snapshots).filteredOn(c -> c.startsWith("velero restore create")).singleElement().asString()
                .contains("--include-resources persistentvolumeclaims,persistentvolumes ").contains("--wait");
        // Velero writes a file-system backup's data into the restored pod's volume; a claim restored alone comes back empty.
        assertThat(fileSystem).filteredOn(c -> c.startsWith("velero restore create")).singleElement().asString()
                .contains("--include-resources pods,persistentvolumeclaims,persistentvolumes ").doesNotContain("--wait");
    }

    @Test
    void theFileSystemScheduleIsTheSnapshotScheduleWithFileSystemBackupAndAPolicyThatSkipsEmptyDirs() {
        var objects = KubernetesYaml.objects(DeployTree.VELERO.resolve("schedule-fs-backup.yaml"));
        io.fabric8.kubernetes.api.model.ConfigMap policy = KubernetesYaml.only(objects, io.fabric8.kubernetes.api.model.ConfigMap.class);
        JsonNode fs = KubernetesYaml.SERIALIZATION.convertValue(KubernetesYaml.only(objects, GenericKubernetesResource.class), JsonNode.class);
        com.fasterxml.jackson.databind.node.ObjectNode expected = scheduleJson().deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode template = (com.fasterxml.jackson.databind.node.ObjectNode) expected.at("/spec/template");
        template.put("snapshotVolumes", false);
        template.put("defaultVolumesToFsBackup", true);
        template.putObject("resourcePolicy").put("kind", "configmap").put("name", policy.getMetadata().getName());

        assertThat(fs.get("spec")).isEqualTo(expected.get("spec"));
        assertThat(fs.at("/metadata/name")).isEqualTo(expected.at("/metadata/name"));
        assertThat(policy.getMetadata().getNamespace()).isEqualTo("velero");
        JsonNode volumePolicies = KubernetesYaml.documents(policy.getData().get("policy.yaml")).get(0);
        assertThat(volumePolicies.at("/volumePolicies/0/conditions/volumeTypes/0").asText()).isEqualTo("emptyDir");
        assertThat(volumePolicies.at("/volumePolicies/0/action/type").asText()).isEqualTo("skip");
        assertThat(volumePolicies.at("/volumePolicies").size()).isEqualTo(1);
    }

    private static String section(String from, String to) {
        int start = RESTORE_MD.indexOf("\n" + from);
        int end = RESTORE_MD.indexOf("\n" + to, start + 1);
        assertThat(start).as(from).isNotNegative();
        assertThat(end).as(to).isPositive();
        return RESTORE_MD.substring(start, end);
    }

    @Test
    void runbookFindsBackupsOfThisScheduleAndStatesWhatDoesNotWork() {
        assertThat(RESTORE_MD).contains("velero backup get --selector velero.io/schedule-name=" + schedule().getMetadata().getName());
        int notWorking = RESTORE_MD.indexOf("## What does not work");
        assertThat(notWorking).isPositive();
        assertThat(RESTORE_MD.substring(notWorking))
                .contains("--selector " + MarkingPolicy.DEFAULT_LABEL_KEY + "=" + MarkingPolicy.DEFAULT_LABEL_VALUE)
                .contains("never on its claims");
        assertThat(RESTORE_MD).contains("MANIFESTS=deploy/examples/redis-sentinel").contains("kubectl apply -k \"$MANIFESTS\"")
                .contains("Done loading RDB")
                .contains("MASTER <-> REPLICA sync: Finished with success");
    }

    /** Minutes of the day at which a cron expression with '*' day, month and weekday fires. */
    static List<Integer> dailyRunMinutes(String cron) {
        String[] fields = cron.trim().split("\\s+");
        assertThat(fields).as("five cron fields in '%s'", cron).hasSize(5);
        assertThat(List.of(fields[2], fields[3], fields[4])).as("every day").containsOnly("*");
        TreeSet<Integer> runs = new TreeSet<>();
        for (int hour : expand(fields[1], 24)) {
            for (int minute : expand(fields[0], 60)) {
                runs.add(hour * 60 + minute);
            }
        }
        return new ArrayList<>(runs);
    }

    private static List<Integer> expand(String field, int range) {
        List<Integer> values = new ArrayList<>();
        for (String part : field.split(",")) {
            if (part.equals("*")) {
                for (int i = 0; i < range; i++) {
                    values.add(i);
                }
            } else if (part.startsWith("*/")) {
                int step = Integer.parseInt(part.substring(2));
                for (int i = 0; i < range; i += step) {
                    values.add(i);
                }
            } else {
                values.add(Integer.parseInt(part));
            }
        }
        return values;
    }

    /** Shell commands in the Markdown's sh code blocks, continuation lines joined, comments dropped. */
    static List<String> commands(String markdown) {
        List<String> commands = new ArrayList<>();
        boolean inShell = false;
        StringBuilder current = new StringBuilder();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                inShell = !inShell && line.equals("```sh");
                continue;
            }
            if (!inShell) {
                continue;
            }
            String code = line.replaceAll("\\s+#.*$", "").strip();
            if (code.startsWith("#") || code.isEmpty()) {
                continue;
            }
            current.append(code.endsWith("\\") ? code.substring(0, code.length() - 1).strip() + " " : code);
            if (!code.endsWith("\\")) {
                commands.add(current.toString());
                current.setLength(0);
            }
        }
        return commands;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
