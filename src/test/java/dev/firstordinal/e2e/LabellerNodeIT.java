package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The labeller without any webhook: {@code deploy/labeller/example} as shipped (the Component's initContainer and
 * RBAC, a PodSecurity {@code restricted} namespace), only the image names set by kustomize {@code images:}. The
 * init container runs the image built from Dockerfile.jvm, with a pod-bound token of the shipped ServiceAccount, and
 * patches its own pod.
 */
@Tag("real-node")
class LabellerNodeIT {

    private static final String NAMESPACE = "redis-example";
    private static final String SET = "redis-shard-0";

    private static RealNode node;
    private static KubernetesClient admin;
    private static List<Pod> pods;

    @BeforeAll
    static void applyTheLabellerExample() {
        node = RealNode.shared();
        admin = node.cluster().admin();
        node.ensureFreeVolumes(3);
        NodeExamples.apply(node, "labeller/example", Map.of("first-ordinal", node.webhookImage(), "redis", node.redisImage()));
        pods = NodeExamples.awaitReadyShard(admin, NAMESPACE, SET);
    }

    @AfterAll
    static void removeTheExample() {
        if (node != null) {
            ClusterWorkloads.deleteNamespace(admin, NAMESPACE);
        }
    }

    @Test
    void theInitContainerMarksOrdinalZeroOnlyWithTheShippedRbac() {
        assertThat(admin.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems())
                .as("no webhook is installed").isEmpty();
        assertThat(StoredPods.marks(pods.get(0))).containsEntry("label " + StoredPods.LABEL, StoredPods.LABEL_VALUE)
                .containsAllEntriesOf(StoredPods.hookFor("redis"));
        assertThat(StoredPods.marks(pods.get(1))).isEmpty();
        assertThat(StoredPods.marks(pods.get(2))).isEmpty();
    }

    @Test
    void everyInitContainerExitsZeroAndItsRunTimeIsReported() {
        for (Pod pod : pods) {
            ContainerStateTerminated exit = pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated();
            String log = node.cluster().kubectl(null, "logs", "-n", NAMESPACE, pod.getMetadata().getName(), "-c",
                    "first-ordinal-labeller").orThrow().stdout();

            assertThat(exit.getExitCode()).as("exit code of %s's labeller; its log:\n%s", pod.getMetadata().getName(), log).isZero();
            Duration ran = Duration.between(Instant.parse(exit.getStartedAt()), Instant.parse(exit.getFinishedAt()));
            RealNode.report("labeller init container in " + pod.getMetadata().getName() + ": started " + exit.getStartedAt()
                    + ", finished " + exit.getFinishedAt() + " (" + ran.toSeconds() + " s, whole seconds as the kubelet reports them)");
        }
    }
}
