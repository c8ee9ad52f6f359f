package dev.firstordinal.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.firstordinal.testing.JarProcess;

/**
 * The real Velero (server and CLI, built from its Go module) run as a local process against a
 * control plane, with the real velero-plugin-for-aws storing backups in s3proxy (filesystem
 * backend) on loopback. The CRDs come from {@code velero install --crds-only --dry-run -o yaml}.
 */
final class VeleroServer implements AutoCloseable {

    static final String NAMESPACE = "velero";

    private final ControlPlane cluster;
    private final Path dir;
    private final Path velero;
    private S3Proxy s3;
    private Process server;

    VeleroServer(ControlPlane cluster) {
        this.cluster = cluster;
        this.dir = cluster.dir().resolve("velero");
        this.velero = Path.of(cluster.setting("FIRST_ORDINAL_E2E_VELERO_BIN")).resolve("velero");
    }

    void start() throws Exception {
        s3 = S3Proxy.start(dir, "127.0.0.1", Path.of(cluster.setting("FIRST_ORDINAL_E2E_S3PROXY_CLASSPATH")));
        String crds = Command.run(List.of(velero.toString(), "install", "--crds-only", "--dry-run", "-o", "yaml"),
                java.util.Map.of(), null, 60).orThrow().stdout();
        cluster.kubectl(crds, "apply", "--server-side", "-f", "-").orThrow();
        cluster.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s", "crd/backups.velero.io",
                "crd/schedules.velero.io", "crd/backupstoragelocations.velero.io").orThrow();
        cluster.kubectl("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"velero\"}}", "apply", "-f", "-").orThrow();
        cluster.kubectl("""
                apiVersion: velero.io/v1
                kind: BackupStorageLocation
                metadata: {name: default, namespace: velero}
                spec:
                  provider: aws
                  default: true
                  objectStorage: {bucket: velero}
                  config: {region: us-east-1, s3ForcePathStyle: "true", s3Url: "%s", checksumAlgorithm: ""}
                """.formatted(s3.endpoint()), "apply", "-f", "-").orThrow();
        // Velero's restore item actions read their helper image from the server's own Deployment, which a
        // server run as a local process does not have: a Deployment named velero with 0 replicas stands in.
        cluster.kubectl("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: velero, namespace: velero}
                spec:
                  replicas: 0
                  selector: {matchLabels: {deploy: velero}}
                  template:
                    metadata: {labels: {deploy: velero}}
                    spec:
                      containers: [{name: velero, image: "velero/velero:%s"}]
                """.formatted(cluster.setting("FIRST_ORDINAL_E2E_VELERO_VERSION")), "apply", "-f", "-").orThrow();

        ProcessBuilder builder = new ProcessBuilder(velero.toString(), "server",
                "--kubeconfig", cluster.kubeconfig().toString(), "--namespace", NAMESPACE,
                "--plugin-dir", velero.getParent().resolve("plugins").toString(),
                "--metrics-address", "127.0.0.1:" + JarProcess.freePort(),
                "--profiler-address", "127.0.0.1:" + JarProcess.freePort(),
                "--default-backup-storage-location", "default",
                "--store-validation-frequency", "10s",
                "--log-level", "info")
                .redirectErrorStream(true).redirectOutput(dir.resolve("velero-server.log").toFile());
        builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", s3.credentials().toString());
        builder.environment().put("VELERO_NAMESPACE", NAMESPACE);
        server = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
        Waits.until(Duration.ofSeconds(120), "BackupStorageLocation default Available (see " + dir.resolve("velero-server.log") + ")",
                () -> {
                    if (!server.isAlive()) {
                        throw new IllegalStateException("velero server exited: " + log());
                    }
                    return "Available".equals(cluster.kubectl(null, "get", "backupstoragelocation", "default", "-n", NAMESPACE,
                            "-o", "jsonpath={.status.phase}").stdout().strip());
                });
    }

    /** The velero CLI against this server (its namespace, the control plane's kubeconfig). */
    Command cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(velero.toString(), "--kubeconfig", cluster.kubeconfig().toString(), "-n", NAMESPACE));
        argv.addAll(List.of(args));
        return Command.run(argv, java.util.Map.of("AWS_SHARED_CREDENTIALS_FILE", s3.credentials().toString()), null, 600);
    }

    /** The directory of the velero CLI (for a PATH that runs the runbook's {@code velero} commands). */
    Path binDir() {
        return velero.getParent();
    }

    Path dir() {
        return dir;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("velero-server.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (server != null && server.isAlive()) {
            server.destroy();
            try {
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
