package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firstordinal.hook.HookContainer;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.schedule.VeleroSchedule;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the hook lives decides which backups run it, as the real Velero (v1.18 server) decides: a hook in the
 * Schedule ({@code first-ordinal schedule}, schedule hook mode) runs only in backups made from that Schedule; a hook
 * in pod annotations runs in any backup that includes the pod. Without a kubelet no hook can exec (the pods have no
 * node), but Velero's backup status still counts the hooks it attempted.
 *
 * <p>The pods carry a backup label value of their own, so that other tests' marked pods in the shared cluster are
 * not selected; they are marked by {@code audit --fix} (the webhook's rule and patch) in namespaces opted in only
 * for these audits ({@link ClusterWorkloads#AUDIT_ONLY}), so no webhook or repairer touches them.
 */
@Tag("real-cluster")
class ScheduleHooksVeleroClusterIT {

    private static final String SCHEDULE_MODE = "e2e-velero-schedule-mode";
    private static final String ANNOTATIONS_MODE = "e2e-velero-annotations-mode";
    private static final String LABEL_VALUE = "e2e-schedule-hooks";
    private static final String SCHEDULE = "e2e-schedule-hooks";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ControlPlane cluster;
    private static VeleroServer velero;

    @BeforeAll
    static void markedShardsAndVelero() throws Exception {
        cluster = ControlPlane.shared();
        KubernetesClient client = cluster.admin();
        for (String namespace : new String[]{SCHEDULE_MODE, ANNOTATIONS_MODE}) {
            ClusterWorkloads.namespace(client, namespace, ClusterWorkloads.AUDIT_ONLY);
        }
        ClusterWorkloads.create(client, ClusterWorkloads.shard(SCHEDULE_MODE, "shard-a", 2).build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(SCHEDULE_MODE, "shard-b", 2).build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(ANNOTATIONS_MODE, "shard-c", 2).build());
        ClusterWorkloads.awaitPods(client, SCHEDULE_MODE, "shard-a", 2);
        ClusterWorkloads.awaitPods(client, SCHEDULE_MODE, "shard-b", 2);
        ClusterWorkloads.awaitPods(client, ANNOTATIONS_MODE, "shard-c", 2);
        JarCommand.auditAlone(cluster.kubeconfig(), SCHEDULE_MODE, "--fix", "--hook-mode", "schedule", "--label-value", LABEL_VALUE).orThrow();
        JarCommand.auditAlone(cluster.kubeconfig(), ANNOTATIONS_MODE, "--fix", "--label-value", LABEL_VALUE).orThrow();

        velero = new VeleroServer(cluster);
        velero.start();
        MarkingPolicy policy = MarkingPolicy.of(MarkingPolicy.DEFAULT_LABEL_KEY, LABEL_VALUE, "Fail", "300s");
        String schedule = new VeleroSchedule(SCHEDULE, VeleroSchedule.DEFAULT_NAMESPACE, VeleroSchedule.DEFAULT_CRON,
                HookContainer.REDIS_NAMES).yaml(policy);
        cluster.kubectl(schedule, "apply", "-f", "-").orThrow();
    }

    @AfterAll
    static void stopVelero() {
        if (velero != null) {
            velero.close();
        }
    }

    private static JsonNode backup(String name, String... how) throws Exception {
        String[] args = new String[how.length + 4];
        args[0] = "backup";
        args[1] = "create";
        args[2] = name;
        System.arraycopy(how, 0, args, 3, how.length);
        args[args.length - 1] = "--wait";
        Command created = velero.cli(args);
        assertThat(created.exitCode()).as("velero backup create %s:\n%s%s", name, created.stdout(), created.stderr()).isZero();
        return JSON.readTree(cluster.kubectl(null, "get", "backup.velero.io", name, "-n", "velero", "-o", "json").orThrow().stdout());
    }

    private static int attempted(JsonNode backup) {
        return backup.path("status").path("hookStatus").path("hooksAttempted").asInt(0);
    }

    @Test
    void theSchedulesHookRunsOnlyInItsOwnBackupsWhileAnAnnotationHookRunsInAnyBackup() throws Exception {
        JsonNode fromSchedule = backup("e2e-hooks-from-schedule", "--from-schedule", SCHEDULE);
        String scheduleLog = velero.cli("backup", "logs", "e2e-hooks-from-schedule").orThrow().stdout();
        JsonNode otherTeams = backup("e2e-hooks-other-team", "--include-namespaces", SCHEDULE_MODE + "," + ANNOTATIONS_MODE);
        String otherLog = velero.cli("backup", "logs", "e2e-hooks-other-team").orThrow().stdout();

        // The Schedule selects the three marked pods: two labelled for it (schedule mode), one with its own annotations.
        assertThat(attempted(fromSchedule)).as("hooks attempted by the Schedule's backup: %s", fromSchedule.path("status")).isEqualTo(3);
        assertThat(fromSchedule.path("status").path("hookStatus").path("hooksFailed").asInt()).as("no pod has a node").isEqualTo(3);
        for (String pod : new String[]{"shard-a-0", "shard-b-0"}) {
            assertThat(scheduleLog).containsPattern("msg=\"Error executing hook\" .*error=\"pod " + pod
                    + " does not have a host assigned\" hookPhase=pre hookSource=spec hookType=exec");
        }
        assertThat(scheduleLog).containsPattern("Error executing hook\" .*pod shard-c-0 .* hookSource=annotation");
        // Another team's backup of the same namespaces: only the annotation hook runs.
        assertThat(attempted(otherTeams)).as("hooks attempted by a backup not made from the Schedule: %s", otherTeams.path("status")).isEqualTo(1);
        assertThat(otherLog).containsPattern("Error executing hook\" .*pod shard-c-0 .* hookSource=annotation")
                .doesNotContainPattern("Error executing hook\" .*pod shard-[ab]-");
    }
}
