package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shipped examples ({@code deploy/examples/redis-sentinel}, {@code deploy/labeller/example}) applied to the
 * {@link RealNode} as a user applies them, through a kustomization of their own that changes nothing but what
 * kustomize's {@code images:} changes: the image names, to the images built on the machine.
 */
final class NodeExamples {

    private NodeExamples() {
    }

    /**
     * {@code kubectl apply -k} of a kustomization that takes {@code example} (a directory under deploy/) as its only
     * resource and sets {@code images} (name to image built here).
     */
    static void apply(RealNode node, String example, Map<String, String> images) {
        try {
            Path tree = ClusterWebhook.copyDeployTree(node.cluster().dir().resolve("deploy-" + example.replace('/', '-')));
            Path wrapper = Files.createDirectories(wrapper(node, example));
            StringBuilder yaml = new StringBuilder("""
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources:
                      - ../%s
                    images:
                    """.formatted(example));
            images.forEach((name, image) -> {
                String[] repositoryAndTag = RealNode.repositoryAndTag(image);
                yaml.append("  - name: ").append(name).append("\n    newName: ").append(repositoryAndTag[0])
                        .append("\n    newTag: \"").append(repositoryAndTag[1]).append("\"\n");
            });
            Files.writeString(wrapper.resolve("kustomization.yaml"), yaml);
            node.cluster().kubectl(null, "apply", "-k", wrapper.toString()).orThrow();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the example's kustomization: " + e.getMessage(), e);
        }
    }

    /** The kustomization {@link #apply} wrote for {@code example} (for {@code kubectl delete -k}). */
    static Path wrapper(RealNode node, String example) {
        String name = example.replace('/', '-');
        return node.cluster().dir().resolve("deploy-" + name).resolve("e2e-" + name);
    }

    /** deploy/examples/redis-sentinel with the Redis image built here. */
    static void applyRedisSentinel(RealNode node) {
        apply(node, "examples/redis-sentinel", Map.of("redis", node.redisImage()));
    }

    /** The pods of a three-replica shard (selector {@code app=<set>}), once every container of each is Ready. */
    static List<Pod> awaitReadyShard(KubernetesClient client, String namespace, String set) {
        return Waits.until(Duration.ofSeconds(240), "3 Ready pods of " + namespace + "/" + set, () -> {
            List<Pod> pods = client.pods().inNamespace(namespace).withLabel("app", set).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName())).toList();
            return pods.size() == 3 && pods.stream().allMatch(NodeInstall::ready) ? pods : null;
        });
    }

    /** {@code SENTINEL MASTER <name>} as asked of the Sentinel in {@code pod}: its field/value pairs. */
    static Map<String, String> sentinelMaster(RealNode node, String namespace, String pod, String name) {
        List<String> lines = node.exec(namespace, pod, "sentinel", "redis-cli", "-p", "26379", "--raw", "sentinel", "master", name)
                .orThrow().stdout().lines().toList();
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            fields.put(lines.get(i), lines.get(i + 1));
        }
        return fields;
    }
}
