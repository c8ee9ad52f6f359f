package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.audit.AuditCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** {@code audit --fix} against fabric8's mock API server in CRUD mode. Each test has its own namespace. */
@EnableKubernetesMockClient(crud = true)
class BackfillCommandTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void marksTheUncoveredFirstOrdinalPodExactlyAsTheWebhookWould() {
        Shards.coveredUncoveredOvercovered(client, "fix-first");
        Pod before = pod("fix-first", "cache-b-0");
        Pod otherBefore = pod("fix-first", "cache-b-1");
        Decision webhook = Shards.RULE.decide(before, "fix-first", (ns, name) -> StartOrdinalLookup.StartOrdinal.of(0));

        AuditCommandTest.Run run = fix("-n", "fix-first");

        Pod after = pod("fix-first", "cache-b-0");
        assertThat(after.getMetadata().getLabels()).containsAllEntriesOf(before.getMetadata().getLabels())
                .containsAllEntriesOf(webhook.labelsToAdd()).hasSize(before.getMetadata().getLabels().size() + 1);
        assertThat(after.getMetadata().getAnnotations()).isEqualTo(webhook.annotationsToAdd());
        assertThat(pod("fix-first", "cache-b-1")).isEqualTo(otherBefore);
        assertThat(run.out()).contains("patched fix-first/cache-b-0: add label velero-backup-schedule=redis and 5 hook annotations (container redis)");
        assertThat(run.out()).endsWith("3 StatefulSets in namespace fix-first: 3 covered, 0 uncovered, 0 overcovered\n");
        assertThat(run.code()).isZero();
    }

    @Test
    void removesTheBackupLabelAndOurHookFromOtherOrdinals() {
        Shards.coveredUncoveredOvercovered(client, "fix-others");
        Pod before = pod("fix-others", "cache-c-1");

        AuditCommandTest.Run run = fix("-n", "fix-others");

        Pod after = pod("fix-others", "cache-c-1");
        assertThat(before.getMetadata().getLabels()).containsKey("velero-backup-schedule");
        assertThat(after.getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule")
                .containsEntry("app", "cache-c").containsEntry("apps.kubernetes.io/pod-index", "1");
        assertThat(after.getMetadata().getAnnotations() == null ? Map.of() : after.getMetadata().getAnnotations())
                .doesNotContainKeys(HookAnnotations.KEYS.toArray(String[]::new));
        assertThat(pod("fix-others", "cache-c-0").getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(run.out()).contains("patched fix-others/cache-c-1: remove label velero-backup-schedule=redis and 5 first-ordinal hook annotations");
    }

    @Test
    void neverRemovesABackupLabelTheSelectorUsesAndReportsIt() {
        StatefulSet set = new StatefulSetBuilder(Workloads.redis("fix-selector", "selected", 2, null))
                .editSpec()
                .editSelector().addToMatchLabels("velero-backup-schedule", "redis").endSelector()
                .editTemplate().editMetadata().addToLabels("velero-backup-schedule", "redis").endMetadata().endTemplate()
                .endSpec().build();
        Shards.create(client, set, Shards.admitted(set, 0), Shards.markedAnyway(set, 1));

        AuditCommandTest.Run run = fix("-n", "fix-selector");

        Pod other = pod("fix-selector", "selected-1");
        assertThat(other.getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(other.getMetadata().getAnnotations() == null ? Map.of() : other.getMetadata().getAnnotations())
                .as("our hook is still removed").doesNotContainKey(HookAnnotations.COMMAND);
        assertThat(run.out()).contains("fix-selector/selected-1: kept velero-backup-schedule=redis: StatefulSet selected selects its pods on velero-backup-schedule")
                .contains("overcovered");
        assertThat(run.code()).as("still overcovered").isEqualTo(1);
    }

    @Test
    void leavesAUsersHookOnAnotherOrdinalAlone() {
        StatefulSet set = Workloads.redis("fix-user-hook", "redis", 2, null);
        Pod userHooked = new PodBuilder(Workloads.pod(set, 1)).editMetadata()
                .addToLabels("velero-backup-schedule", "redis")
                .addToAnnotations(Map.of(HookAnnotations.COMMAND, "[\"/bin/true\"]", HookAnnotations.CONTAINER, "redis"))
                .endMetadata().build();
        Shards.create(client, set, Shards.admitted(set, 0), userHooked);

        fix("-n", "fix-user-hook");

        Pod after = pod("fix-user-hook", "redis-1");
        assertThat(after.getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
        assertThat(after.getMetadata().getAnnotations()).containsEntry(HookAnnotations.COMMAND, "[\"/bin/true\"]")
                .containsEntry(HookAnnotations.CONTAINER, "redis");
    }

    @Test
    void dryRunPrintsEveryPatchAndChangesNothing() {
        Shards.coveredUncoveredOvercovered(client, "fix-dry");
        List<Pod> before = client.pods().inNamespace("fix-dry").list().getItems();

        AuditCommandTest.Run run = fix("-n", "fix-dry", "--dry-run");

        assertThat(client.pods().inNamespace("fix-dry").list().getItems()).isEqualTo(before);
        assertThat(run.out()).startsWith("Dry run: nothing was changed. audit --fix would apply 2 patches:\n")
                .contains("  would patch fix-dry/cache-b-0: add label velero-backup-schedule=redis and 5 hook annotations (container redis)\n"
                        + "    [{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\"")
                .contains("{\"op\":\"add\",\"path\":\"/metadata/labels/velero-backup-schedule\",\"value\":\"redis\"}")
                .contains("  would patch fix-dry/cache-c-1: remove label velero-backup-schedule=redis and 5 first-ordinal hook annotations\n"
                        + "    [{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\"")
                .contains("{\"op\":\"test\",\"path\":\"/metadata/labels/velero-backup-schedule\",\"value\":\"redis\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/labels/velero-backup-schedule\"}");
        assertThat(run.out()).endsWith("3 StatefulSets in namespace fix-dry: 1 covered, 1 uncovered, 1 overcovered\n");
        assertThat(run.code()).isEqualTo(1);
    }

    @Test
    void reportsTheBackfillInJson() {
        Shards.coveredUncoveredOvercovered(client, "fix-json");

        AuditCommandTest.Run run = fix("-n", "fix-json", "-o", "json");

        JsonNode json = Fixtures.tree(run.out().getBytes(StandardCharsets.UTF_8));
        assertThat(json.at("/backfill/dryRun").asBoolean()).isFalse();
        assertThat(json.at("/backfill/fixes")).hasSize(2);
        assertThat(json.at("/backfill/fixes/0/pod").asText()).isEqualTo("cache-b-0");
        assertThat(json.at("/backfill/fixes/0/action").asText()).isEqualTo("add");
        assertThat(json.at("/backfill/fixes/0/applied").asBoolean()).isTrue();
        assertThat(json.at("/backfill/fixes/0/error").isNull()).isTrue();
        assertThat(json.at("/backfill/fixes/1/action").asText()).isEqualTo("remove");
        assertThat(json.at("/summary/covered").asInt()).isEqualTo(3);
        assertThat(run.code()).isZero();
    }

    @Test
    void reportsAPatchTheApiServerRejectsAndGoesOnWithTheOthers() {
        Shards.coveredUncoveredOvercovered(client, "fix-conflict");
        server.expect().patch().withPath("/api/v1/namespaces/fix-conflict/pods/cache-b-0")
                .andReturn(422, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(422)
                        .withMessage("the server rejected our request due to an error in our request").build()).once();

        AuditCommandTest.Run run = fix("-n", "fix-conflict");

        assertThat(run.out()).contains("Backfill: 1 pod patched, 1 failed:")
                .contains("  FAILED fix-conflict/cache-b-0: add label")
                .contains("  error: fix-conflict/cache-b-0: HTTP 422: the server rejected our request due to an error in our request "
                        + "(the pod changed since it was read; run the audit again)")
                .contains("  patched fix-conflict/cache-c-1: remove label");
        assertThat(pod("fix-conflict", "cache-c-1").getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
        assertThat(run.code()).isEqualTo(1);
    }

    /** {@code audit --fix} of the {@code -n} namespace, which exists and is opted in as in a real cluster. */
    private AuditCommandTest.Run fix(String... args) {
        String namespace = args[java.util.Arrays.asList(args).indexOf("-n") + 1];
        if (client.namespaces().withName(namespace).get() == null) {
            Workloads.createNamespace(client, namespace, Shards.OPTED_IN);
        }
        String[] all = new String[args.length + 1];
        all[0] = "--fix";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(new AuditCommand(server::createClient, null, null), all);
    }

    private static Pod pod(String namespace, String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }
}
