package dev.firstordinal.e2e;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * first-ordinal installed on the {@link RealNode} the way users install it: the Helm chart as shipped (or a kustomize
 * overlay), with the image built here from Dockerfile.jvm and nothing else changed but what a user sets for a
 * private image ({@code image.repository}, {@code image.tag}, {@code image.pullPolicy}, {@code kubectl.image}).
 */
final class NodeInstall {

    static final String RELEASE = "first-ordinal";
    static final String NAMESPACE = "first-ordinal";
    static final Path CHART = Path.of("deploy", "helm", "first-ordinal").toAbsolutePath();

    private NodeInstall() {
    }

    /** The values a user with a private registry sets: the image, and the kubectl image of the chart's hook Jobs. */
    static Map<String, Object> imageValues(RealNode node) {
        String[] webhook = RealNode.repositoryAndTag(node.webhookImage());
        String[] kubectl = RealNode.repositoryAndTag(node.setting("FIRST_ORDINAL_E2E_KUBECTL_IMAGE"));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("image.repository", webhook[0]);
        values.put("image.tag", webhook[1]);
        values.put("image.pullPolicy", "Never");
        values.put("kubectl.image.repository", kubectl[0]);
        values.put("kubectl.image.tag", kubectl[1]);
        values.put("kubectl.image.pullPolicy", "Never");
        return values;
    }

    /** {@code helm install first-ordinal deploy/helm/first-ordinal -n first-ordinal --create-namespace --wait} with these values. */
    static void helmInstall(RealNode node, Map<String, Object> values) {
        var install = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE).createNamespace()
                .withKubeConfig(node.cluster().kubeconfig()).waitReady().withTimeout(300);
        values.forEach(install::set);
        install.call();
    }

    /** {@code helm uninstall first-ordinal -n first-ordinal} (the chart's pre-delete hook runs and is waited for). */
    static String helmUninstall(RealNode node) {
        return Helm.uninstall(RELEASE).withNamespace(NAMESPACE).withKubeConfig(node.cluster().kubeconfig()).call();
    }

    /** Deletes {@code namespaces} (the test's workloads), then uninstalls the chart and deletes its namespace. */
    static void removeWithTheWebhook(RealNode node, String... namespaces) {
        for (String namespace : namespaces) {
            ClusterWorkloads.deleteNamespace(node.cluster().admin(), namespace);
        }
        helmUninstall(node);
        ClusterWorkloads.deleteNamespace(node.cluster().admin(), NAMESPACE);
    }

    static boolean ready(Pod pod) {
        List<PodCondition> conditions = pod.getStatus() == null ? List.of() : pod.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The webhook's pods (the chart's selector), once {@code count} of them are Ready. */
    static List<Pod> awaitWebhookPods(KubernetesClient client, int count) {
        return Waits.until(Duration.ofSeconds(180), count + " Ready webhook pods", () -> {
            List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/name", "first-ordinal")
                    .withoutLabel("app.kubernetes.io/component", "uninstall").list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            return pods.size() == count && pods.stream().allMatch(NodeInstall::ready) ? pods : null;
        });
    }

    /**
     * A StatefulSet of {@code replicas} running pods (the Redis image the node has; one container {@code redis}), no
     * claims, in {@code namespace}; returns once every pod is Ready.
     */
    static List<Pod> runningShard(RealNode node, String namespace, String name, int replicas) {
        KubernetesClient client = node.cluster().admin();
        StatefulSet set = ClusterWorkloads.shard(namespace, name, replicas).editSpec()
                .withVolumeClaimTemplates(List.of())
                .editTemplate().editSpec()
                .withContainers(ClusterWorkloads.shard(namespace, name, replicas).buildSpec().getTemplate().getSpec().getContainers().get(0))
                .editContainer(0).withImage(node.redisImage()).withImagePullPolicy("Never").withVolumeMounts(List.of())
                .withCommand("redis-server", "--save", "", "--protected-mode", "no").withNewSecurityContext()
                .withRunAsUser(999L).withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext().endContainer()
                .endSpec().endTemplate().endSpec().build();
        ClusterWorkloads.create(client, set);
        return ClusterWorkloads.awaitPods(client, namespace, Map.of("app", name), replicas,
                pods -> pods.stream().allMatch(NodeInstall::ready));
    }
}
