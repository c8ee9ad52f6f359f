package dev.firstordinal.e2e;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example shard as shipped ({@code deploy/examples/redis-sentinel}: a primary and two replicas under Sentinel,
 * names resolved through cluster DNS), with only its image name changed by kustomize {@code images:}, on a real
 * node with the webhook installed by Helm. The hook first-ordinal adds is run the way Velero runs it: the command
 * from the pod's annotation, through the exec subresource, in the container the annotation names.
 */
@Tag("real-node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExampleShardNodeIT {

    static final String NAMESPACE = "redis";
    private static final String SET = "redis-shard-0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RealNode node;
    private static KubernetesClient admin;

    @BeforeAll
    static void installTheWebhookThenTheExample() {
        node = RealNode.shared();
        admin = node.cluster().admin();
        NodeInstall.helmInstall(node, NodeInstall.imageValues(node));
        node.ensureFreeVolumes(3);
        NodeExamples.applyRedisSentinel(node);
    }

    @AfterAll
    static void removeTheExampleAndTheWebhook() {
        if (node != null) {
            NodeInstall.removeWithTheWebhook(node, NAMESPACE);
        }
    }

    @Test
    @Order(1)
    void everyPodOfTheShardBecomesReady() {
        List<Pod> pods = NodeExamples.awaitReadyShard(admin, NAMESPACE, SET);

        assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly(SET + "-0", SET + "-1", SET + "-2");
    }

    @Test
    @Order(2)
    void sentinelSeesOneMasterAndTwoReplicas() {
        Map<String, String> master = Waits.until(Duration.ofSeconds(90), "Sentinel to see two replicas of shard-0", () -> {
            Map<String, String> fields = NodeExamples.sentinelMaster(node, NAMESPACE, SET + "-0", "shard-0");
            return "2".equals(fields.get("num-slaves")) ? fields : null;
        });

        assertThat(master.get("ip")).isEqualTo(SET + "-0." + SET + "." + NAMESPACE + ".svc.cluster.local");
        assertThat(master.get("flags")).isEqualTo("master");
    }

    @Test
    @Order(3)
    void exactlyOrdinalZeroIsMarked() {
        List<Pod> pods = NodeExamples.awaitReadyShard(admin, NAMESPACE, SET);

        assertThat(StoredPods.marks(pods.get(0))).containsEntry("label " + StoredPods.LABEL, StoredPods.LABEL_VALUE)
                .containsAllEntriesOf(StoredPods.hookFor("redis"));
        assertThat(StoredPods.marks(pods.get(1))).isEmpty();
        assertThat(StoredPods.marks(pods.get(2))).isEmpty();
    }

    @Test
    @Order(4)
    void theHookFromTheAnnotationRunsInItsContainerAndLeavesAFreshRdb() throws Exception {
        Pod first = admin.pods().inNamespace(NAMESPACE).withName(SET + "-0").get();
        Map<String, String> annotations = first.getMetadata().getAnnotations();
        String container = annotations.get("pre.hook.backup.velero.io/container");
        List<String> command = JSON.readValue(annotations.get("pre.hook.backup.velero.io/command"), new TypeReference<>() {
        });
        node.exec(NAMESPACE, first.getMetadata().getName(), "redis", "redis-cli", "SET", "written-before-the-hook", "1").orThrow();
        long before = Long.parseLong(node.exec(NAMESPACE, first.getMetadata().getName(), "redis", "date", "+%s").orThrow().stdout().strip());

        Command hook = node.exec(NAMESPACE, first.getMetadata().getName(), container, command.toArray(new String[0]));

        assertThat(hook.exitCode()).as("the hook's exit code; stderr: %s", hook.stderr()).isZero();
        assertThat(hook.stdout() + hook.stderr()).contains("BGSAVE finished");
        long saved = Long.parseLong(node.exec(NAMESPACE, first.getMetadata().getName(), "redis", "stat", "-c", "%Y", "/data/dump.rdb")
                .orThrow().stdout().strip());
        assertThat(saved).as("dump.rdb's modification time against the hook's start").isGreaterThanOrEqualTo(before);
        assertThat(node.exec(NAMESPACE, first.getMetadata().getName(), "redis", "redis-check-rdb", "/data/dump.rdb").orThrow().stdout())
                .contains("RDB looks OK");
    }
}
