package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real one-node Kubernetes for the {@code *NodeIT} tests: the control plane of {@link ControlPlane} plus containerd,
 * the CNI bridge, kubelet, kube-scheduler, kube-proxy and CoreDNS, started once per test JVM by
 * {@code src/e2e/node.sh} (as root) and stopped by it when the JVM exits, whether the tests passed or not. Pods
 * run, from images built on this machine ({@code src/e2e/images.sh}): the webhook's own image is built from
 * {@code Dockerfile.jvm} and {@code target/quarkus-app} on first use.
 *
 * <p>It never skips: when the node cannot start (not root, a missing Debian package, a build failure), the first
 * test that asks for it fails with the script's message.
 */
public final class RealNode {

    static final Path SCRIPT = Path.of("src", "e2e", "node.sh").toAbsolutePath();
    static final Path IMAGES = Path.of("src", "e2e", "images.sh").toAbsolutePath();
    /** The tag of the webhook image the tests build from this checkout. */
    static final String WEBHOOK_TAG = "e2e";

    private static RealNode shared;
    private static IllegalStateException startFailure;

    private final ControlPlane cluster;
    private Properties webhookImage;
    private int volumes;

    private RealNode(ControlPlane cluster) {
        this.cluster = cluster;
    }

    /** The node shared by every test in this JVM, started on first use. */
    public static synchronized RealNode shared() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (shared == null) {
            try {
                shared = new RealNode(ControlPlane.start(SCRIPT, Path.of("target", "e2e", "node").toAbsolutePath()));
            } catch (IllegalStateException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** The node's control plane: cluster-admin client, kubectl, kubeconfigs, settings from its env file. */
    public ControlPlane cluster() {
        return cluster;
    }

    public String setting(String key) {
        return cluster.setting(key);
    }

    /** {@code localhost/first-ordinal:e2e}, built from Dockerfile.jvm on first use and imported into the node. */
    public synchronized String webhookImage() {
        if (webhookImage == null) {
            webhookImage = imported(images("webhook", Path.of("").toAbsolutePath().toString(), WEBHOOK_TAG),
                    "FIRST_ORDINAL_E2E_WEBHOOK_ARCHIVE");
        }
        return webhookImage.getProperty("FIRST_ORDINAL_E2E_WEBHOOK_IMAGE");
    }

    /** The Debian Redis image ({@code redis-server}, {@code redis-sentinel}, {@code redis-cli}) the node starts with. */
    public String redisImage() {
        return setting("FIRST_ORDINAL_E2E_REDIS_IMAGE");
    }

    /** The image's repository and tag, as a Helm chart or kustomize {@code images:} entry takes them. */
    public static String[] repositoryAndTag(String image) {
        int colon = image.lastIndexOf(':');
        return new String[] {image.substring(0, colon), image.substring(colon + 1)};
    }

    /** {@code kubectl exec} in a container: the API server's exec subresource, the kubelet, containerd. */
    public Command exec(String namespace, String pod, String container, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", "-n", namespace, pod, "-c", container, "--"));
        args.addAll(List.of(command));
        return cluster.kubectl(null, args.toArray(new String[0]));
    }

    /**
     * The highest memory use of a running container since it started, from its cgroup (cgroup v1:
     * {@code memory.max_usage_in_bytes} under the kubelet's {@code kubepods} tree), in bytes.
     */
    public long peakMemoryBytes(Pod pod, String container) {
        ContainerStatus status = pod.getStatus().getContainerStatuses().stream()
                .filter(s -> s.getName().equals(container)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no status for container " + container));
        String id = status.getContainerID().replaceFirst("^containerd://", "");
        String uid = pod.getMetadata().getUid();
        try (var found = Files.find(Path.of("/sys/fs/cgroup/memory/kubepods"), 3,
                (path, attributes) -> path.getFileName().toString().equals(id) && path.getParent().getFileName().toString().equals("pod" + uid))) {
            Path group = found.findFirst().orElseThrow(() -> new IllegalStateException(
                    "no memory cgroup for container " + id + " of pod " + uid + " under /sys/fs/cgroup/memory/kubepods"));
            return Long.parseLong(Files.readString(group.resolve("memory.max_usage_in_bytes")).strip());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the memory cgroup of " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * At least {@code count} Available local PersistentVolumes (1Gi, StorageClass {@code local}, the node's
     * default): directories under the node's volume root, removed when the node stops. Claims bind to them when
     * their pod is scheduled.
     */
    public synchronized void ensureFreeVolumes(int count) {
        var client = cluster.admin();
        long free = client.persistentVolumes().list().getItems().stream()
                .filter(pv -> "Available".equals(pv.getStatus() == null ? null : pv.getStatus().getPhase())).count();
        Path root = Path.of(setting("FIRST_ORDINAL_E2E_VOLUMES"));
        for (long i = free; i < count; i++) {
            String name = "local-" + (++volumes);
            try {
                Files.createDirectories(root.resolve(name));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot create " + root.resolve(name) + ": " + e.getMessage(), e);
            }
            client.persistentVolumes().resource(new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                    .withNewMetadata().withName(name).endMetadata()
                    .withNewSpec()
                    .withCapacity(Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")))
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName("local")
                    .withPersistentVolumeReclaimPolicy("Retain")
                    .withNewLocal().withPath(root.resolve(name).toString()).endLocal()
                    .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                    .withKey("kubernetes.io/hostname").withOperator("In").withValues(setting("FIRST_ORDINAL_E2E_NODE_NAME"))
                    .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                    .endSpec().build()).create();
        }
    }

    /**
     * A measured figure the node tests report (start-up times, peak memory): printed, and appended to
     * {@code target/e2e/node-report.txt} so that a run's figures can be read in one place.
     */
    public static void report(String figure) {
        System.err.println("node-report: " + figure);
        try {
            Path file = Path.of("target", "e2e", "node-report.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, java.time.Instant.now() + " " + figure + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write the node report: " + e.getMessage(), e);
        }
    }

    private Properties imported(Properties built, String archiveKey) {
        importImages(built.getProperty(archiveKey));
        return built;
    }

    /** Imports OCI archives built by images.sh into the node's containerd, named as when built. */
    void importImages(String... archives) {
        List<String> argv = new ArrayList<>(List.of("bash", IMAGES.toString(), "import", setting("FIRST_ORDINAL_E2E_CONTAINERD_SOCKET")));
        argv.addAll(List.of(archives));
        Command.run(argv, Map.of(), null, 600).orThrow();
    }

    /** {@code src/e2e/images.sh ARGS...} (builds what is not cached); its KEY=VALUE lines. */
    static Properties images(String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", IMAGES.toString()));
        argv.addAll(List.of(args));
        Command built = Command.run(argv, Map.of(), null, 1800).orThrow();
        Properties values = new Properties();
        built.stdout().lines().filter(l -> l.startsWith("FIRST_ORDINAL_E2E_")).forEach(l -> {
            int eq = l.indexOf('=');
            values.setProperty(l.substring(0, eq), l.substring(eq + 1));
        });
        System.err.println(built.stderr().lines().filter(l -> l.contains("built ")).reduce((a, b) -> a + "\n" + b).orElse(""));
        return values;
    }
}
