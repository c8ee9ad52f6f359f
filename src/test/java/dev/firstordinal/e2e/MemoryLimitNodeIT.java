package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook under the chart's memory limit while the StatefulSet controller creates pods for a minute: every
 * CREATE goes through the API server to the webhook pods behind their Service. The pods are never scheduled (a
 * scheduler name nobody serves), so hundreds of them cost the node nothing but admission.
 */
@Tag("real-node")
class MemoryLimitNodeIT {

    private static final String NAMESPACE = "memory-limit-load";
    private static final Duration LOAD = Duration.ofSeconds(60);
    private static final int MAX_SETS = 150; // at most 450 pods, whatever the machine's speed
    private static final int REPLICAS = 3;

    private static RealNode node;
    private static KubernetesClient admin;
    private static int sets;

    @BeforeAll
    static void installThenCreatePodsForAMinute() {
        node = RealNode.shared();
        admin = node.cluster().admin();
        NodeInstall.helmInstall(node, NodeInstall.imageValues(node));
        NodeInstall.awaitWebhookPods(admin, 2);
        ClusterWorkloads.namespace(admin, NAMESPACE, ClusterWorkloads.OPTED_IN);
        long deadline = System.nanoTime() + LOAD.toNanos();
        while (System.nanoTime() < deadline && sets < MAX_SETS) {
            StatefulSet set = ClusterWorkloads.shard(NAMESPACE, "load-" + sets, REPLICAS).editSpec()
                    .withVolumeClaimTemplates(List.of())
                    .editTemplate().editSpec().withSchedulerName("first-ordinal-e2e-never-scheduled")
                    .editContainer(0).withVolumeMounts(List.of()).endContainer()
                    .endSpec().endTemplate().endSpec().build();
            ClusterWorkloads.create(admin, set);
            sets++;
            sleepQuietly(LOAD.toMillis() / MAX_SETS);
        }
    }

    @AfterAll
    static void removeTheLoadAndTheWebhook() {
        if (node != null) {
            NodeInstall.removeWithTheWebhook(node, NAMESPACE);
        }
    }

    @Test
    void everyPodIsMarkedRightAndTheWebhookNeitherRestartsNorIsOomKilled() {
        List<Pod> created = Waits.until(Duration.ofSeconds(180), sets * REPLICAS + " pods in " + NAMESPACE, () -> {
            List<Pod> pods = admin.pods().inNamespace(NAMESPACE).list().getItems();
            return pods.size() == sets * REPLICAS ? pods : null;
        });

        assertThat(sets * REPLICAS).as("pods created through the API server").isGreaterThanOrEqualTo(200);
        assertThat(created).allSatisfy(pod -> {
            boolean first = pod.getMetadata().getName().endsWith("-0");
            assertThat(pod.getMetadata().getLabels().get(StoredPods.LABEL)).as("label of %s", pod.getMetadata().getName())
                    .isEqualTo(first ? StoredPods.LABEL_VALUE : null);
        });
        List<Pod> webhooks = NodeInstall.awaitWebhookPods(admin, 2);
        for (Pod webhook : webhooks) {
            ContainerStatus status = webhook.getStatus().getContainerStatuses().get(0);
            long peak = node.peakMemoryBytes(webhook, status.getName());
            RealNode.report("webhook pod " + webhook.getMetadata().getName() + " after " + sets * REPLICAS
                    + " pod creations in " + LOAD.toSeconds() + " s: peak memory (cgroup) " + peak / (1024 * 1024) + " MiB, limit "
                    + webhook.getSpec().getContainers().get(0).getResources().getLimits().get("memory"));
            assertThat(status.getRestartCount()).as("restarts of %s", webhook.getMetadata().getName()).isZero();
            assertThat(status.getLastState() == null || status.getLastState().getTerminated() == null).as("a terminated last state (OOMKilled?) of %s",
                    webhook.getMetadata().getName()).isTrue();
            assertThat(peak).as("peak memory of %s", webhook.getMetadata().getName()).isLessThan(256L * 1024 * 1024);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
