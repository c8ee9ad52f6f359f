package dev.firstordinal.e2e;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.testing.OlderHook;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stale hooks and the schedule hook mode on a real API server, through {@code audit} and {@code audit --fix} of the
 * packaged jar (the same rule and patches as the webhook, label-self and the repairer). The namespaces opt in
 * with a label only these audits serve ({@link ClusterWorkloads#AUDIT_ONLY}), so no webhook or repairer of another
 * test touches these pods.
 */
@Tag("real-cluster")
class HookModesClusterIT {

    private static final String STALE_NS = "e2e-hook-stale";
    private static final String SCHEDULE_NS = "e2e-hook-schedule";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ControlPlane cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        cluster = ControlPlane.shared();
        client = cluster.admin();
    }

    private static Command audit(String namespace, String... args) {
        return JarCommand.auditAlone(cluster.kubeconfig(), namespace, args);
    }

    private static void mergeMetadata(String namespace, String pod, Map<String, String> labels, Map<String, String> annotations) throws Exception {
        String patch = JSON.writeValueAsString(Map.of("metadata", Map.of("labels", labels, "annotations", annotations)));
        client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    private static Pod pod(String namespace, String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    @Test
    void anOlderReleasesHookIsReportedStaleAndFixRefreshesOnlyFirstOrdinalsOwnAnnotations() throws Exception {
        ClusterWorkloads.namespace(client, STALE_NS, ClusterWorkloads.AUDIT_ONLY);
        ClusterWorkloads.create(client, ClusterWorkloads.shard(STALE_NS, "old", 2).build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(STALE_NS, "users", 1).build());
        ClusterWorkloads.awaitPods(client, STALE_NS, "old", 2);
        ClusterWorkloads.awaitPods(client, STALE_NS, "users", 1);
        Map<String, String> old = OlderHook.annotationsWith("team.example/owner", "cache");
        mergeMetadata(STALE_NS, "old-0", Map.of(LABEL, LABEL_VALUE), old);
        Map<String, String> users = Map.of(HookAnnotations.COMMAND, "[\"/bin/sh\",\"-c\",\"redis-cli SAVE > /dev/null && echo ok\"]",
                HookAnnotations.TIMEOUT, "60s");
        mergeMetadata(STALE_NS, "users-0", Map.of(LABEL, LABEL_VALUE), users);
        String usersVersion = pod(STALE_NS, "users-0").getMetadata().getResourceVersion();

        Command report = audit(STALE_NS);
        Command fix = audit(STALE_NS, "--fix");
        Command after = audit(STALE_NS);

        assertThat(report.exitCode()).as("audit of a stale hook:\n%s\n%s", report.stdout(), report.stderr()).isEqualTo(1);
        assertThat(report.stdout()).containsPattern("e2e-hook-stale +old +old-0 +redis +stale +redis .* stale\\n")
                .contains("e2e-hook-stale/old: old-0: stale hook (no first-ordinal.dev/hook: an older version's)")
                .containsPattern("e2e-hook-stale +users +users-0 +redis +yes .* covered\\n")
                .contains("0 overcovered, 1 stale");
        assertThat(fix.exitCode()).as("audit --fix:\n%s\n%s", fix.stdout(), fix.stderr()).isZero();
        assertThat(fix.stdout()).contains("patched e2e-hook-stale/old-0: refresh stale hook: remove 4 first-ordinal hook annotations; add 5 hook annotations (container redis)");
        Map<String, String> expected = new LinkedHashMap<>(hookFor("redis"));
        expected.put("team.example/owner", "cache");
        assertThat(pod(STALE_NS, "old-0").getMetadata().getAnnotations()).isEqualTo(expected);
        Pod usersAfter = pod(STALE_NS, "users-0");
        assertThat(usersAfter.getMetadata().getAnnotations()).isEqualTo(users);
        assertThat(usersAfter.getMetadata().getResourceVersion()).as("a user's hook is never patched").isEqualTo(usersVersion);
        assertThat(after.exitCode()).as("audit after the fix:\n%s", after.stdout()).isZero();
    }

    @Test
    void inScheduleModeTheFirstOrdinalCarriesOnlyLabelsAndSwitchingBackShowsIt() {
        ClusterWorkloads.namespace(client, SCHEDULE_NS, ClusterWorkloads.AUDIT_ONLY);
        ClusterWorkloads.create(client, ClusterWorkloads.shard(SCHEDULE_NS, "sched", 3).build());
        ClusterWorkloads.awaitPods(client, SCHEDULE_NS, "sched", 3);

        Command fix = audit(SCHEDULE_NS, "--fix", "--hook-mode", "schedule");
        Command inScheduleMode = audit(SCHEDULE_NS, "--hook-mode", "schedule");
        Command inAnnotationsMode = audit(SCHEDULE_NS);

        assertThat(fix.exitCode()).as("audit --fix --hook-mode schedule:\n%s\n%s", fix.stdout(), fix.stderr()).isZero();
        Pod first = pod(SCHEDULE_NS, "sched-0");
        assertThat(first.getMetadata().getLabels()).containsEntry(LABEL, LABEL_VALUE).containsEntry(ScheduleHook.CONTAINER_LABEL, "redis");
        assertThat(first.getMetadata().getAnnotations() == null ? Map.<String, String>of() : first.getMetadata().getAnnotations())
                .noneSatisfy((key, value) -> assertThat(key).startsWith(HookAnnotations.PREFIX))
                .doesNotContainKey(HookAnnotations.IDENTITY);
        assertThat(pod(SCHEDULE_NS, "sched-1").getMetadata().getLabels()).doesNotContainKeys(LABEL, ScheduleHook.CONTAINER_LABEL);
        assertThat(inScheduleMode.exitCode()).as("audit in schedule mode:\n%s", inScheduleMode.stdout()).isZero();
        assertThat(inScheduleMode.stdout()).containsPattern("sched +sched-0 +redis +yes +redis .* covered\\n");
        assertThat(inAnnotationsMode.exitCode()).as("audit in annotations mode:\n%s", inAnnotationsMode.stdout()).isEqualTo(1);
        assertThat(inAnnotationsMode.stdout()).contains("sched-0 has no backup hook (pre.hook.backup.velero.io/command)");
    }
}
