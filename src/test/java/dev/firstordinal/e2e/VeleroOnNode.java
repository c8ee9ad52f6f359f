package dev.firstordinal.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Velero installed on the {@link RealNode} as users install it: {@code velero install} with the node agent, the
 * server and node-agent images built here from the Velero binaries build-binaries.sh builds
 * ({@code src/e2e/images.sh velero}), velero-plugin-for-aws, and a BackupStorageLocation on an s3proxy that listens on
 * the node's bridge address. No volume snapshotter: volume data goes through file-system backup (kopia).
 */
final class VeleroOnNode implements AutoCloseable {

    static final String NAMESPACE = "velero";

    private final RealNode node;
    private final Path velero;
    private final S3Proxy s3;

    private VeleroOnNode(RealNode node, Path velero, S3Proxy s3) {
        this.node = node;
        this.velero = velero;
        this.s3 = s3;
    }

    /** s3proxy, the images, {@code velero install --use-node-agent ... --wait}; returns once the location is Available. */
    static VeleroOnNode install(RealNode node) throws Exception {
        Properties images = RealNode.images("velero");
        node.importImages(images.getProperty("FIRST_ORDINAL_E2E_VELERO_ARCHIVE"), images.getProperty("FIRST_ORDINAL_E2E_VELERO_PLUGIN_ARCHIVE"));
        Path dir = Files.createDirectories(node.cluster().dir().resolve("velero"));
        S3Proxy s3 = S3Proxy.start(dir, node.setting("FIRST_ORDINAL_E2E_NODE_ADDRESS"),
                Path.of(node.setting("FIRST_ORDINAL_E2E_S3PROXY_CLASSPATH")));
        VeleroOnNode installed = new VeleroOnNode(node, Path.of(node.setting("FIRST_ORDINAL_E2E_VELERO_BIN")).resolve("velero"), s3);
        installed.cli("install", "--provider", "aws",
                "--image", images.getProperty("FIRST_ORDINAL_E2E_VELERO_IMAGE"),
                "--plugins", images.getProperty("FIRST_ORDINAL_E2E_VELERO_PLUGIN_IMAGE"),
                "--bucket", S3Proxy.BUCKET, "--secret-file", s3.credentials().toString(),
                // s3proxy has no default region and refuses the SDK's default checksums.
                "--backup-location-config", "region=us-east-1,s3ForcePathStyle=true,s3Url=" + s3.endpoint() + ",checksumAlgorithm=",
                "--use-volume-snapshots=false", "--use-node-agent",
                // The node's kubelet keeps its pods under its own root, not /var/lib/kubelet.
                "--kubelet-root-dir", node.setting("FIRST_ORDINAL_E2E_KUBELET_ROOT"),
                // One node of 2 CPUs carries nine Redis pods beside Velero: the defaults (500m each) would not fit.
                "--velero-pod-cpu-request", "50m", "--node-agent-pod-cpu-request", "50m",
                "--wait").orThrow();
        Waits.until(java.time.Duration.ofSeconds(120), "BackupStorageLocation default Available", () -> "Available".equals(
                node.cluster().kubectl(null, "get", "backupstoragelocation", "default", "-n", NAMESPACE, "-o", "jsonpath={.status.phase}")
                        .stdout().strip()));
        return installed;
    }

    /** The velero CLI against this install (the node's kubeconfig, namespace velero). */
    Command cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(velero.toString(), "--kubeconfig", node.cluster().kubeconfig().toString(), "-n", NAMESPACE));
        argv.addAll(List.of(args));
        return Command.run(argv, Map.of(), null, 900);
    }

    /** The directory of the velero CLI (for a PATH that runs the runbook's {@code velero} commands). */
    Path binDir() {
        return velero.getParent();
    }

    S3Proxy objectStore() {
        return s3;
    }

    /** {@code velero uninstall --force} (it removes the finalizers of Velero's own objects, which a namespace delete would wait on), then s3proxy. */
    @Override
    public void close() {
        try {
            cli("uninstall", "--force").orThrow();
        } finally {
            s3.close();
        }
    }
}
