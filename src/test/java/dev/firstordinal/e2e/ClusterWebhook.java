package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.firstordinal.testing.JarProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * first-ordinal installed on the real control plane the way a user installs it with the
 * {@code certs-command} overlay, except where a webhook running as a local process forces a change:
 *
 * <ul>
 *   <li>{@code certs --ip 127.0.0.1} issues the serving certificate, so it also names the address the
 *       API server dials;</li>
 *   <li>the MutatingWebhookConfiguration's {@code clientConfig.service} becomes {@code clientConfig.url}
 *       {@code https://127.0.0.1:PORT/mutate}: without kube-proxy the API server cannot reach a Service's
 *       cluster IP, and it refuses loopback Endpoints. Every other field is applied exactly as shipped
 *       (caBundle from the overlay's replacement, namespaceSelector, matchConditions, timeout, policies);</li>
 *   <li>the webhook is the packaged jar on the host, authenticated as the shipped ServiceAccount with a
 *       TokenRequest token, so the shipped ClusterRole is all it may use.</li>
 * </ul>
 */
public final class ClusterWebhook implements AutoCloseable {

    public static final String NAMESPACE = "first-ordinal";
    private static final ObjectMapper YAML = new YAMLMapper();
    private static ClusterWebhook shared;
    /**
     * One client for every scrape, on HTTP/1.1 as Prometheus and the kubelet scrape. A new client per scrape
     * offers an h2c upgrade on each new connection, and the management port's connection cap (64) kept
     * counting every upgraded connection after it closed: from the 65th on it refused them all.
     */
    private static final HttpClient METRICS_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final ControlPlane cluster;
    private final Path certs;
    private final Path kubeconfig;
    private final int port;
    private final int managementPort;
    private JarProcess process;

    private ClusterWebhook(ControlPlane cluster, Path certs, Path kubeconfig, int port, int managementPort) {
        this.cluster = cluster;
        this.certs = certs;
        this.kubeconfig = kubeconfig;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** The webhook installed once per test JVM and running. */
    public static synchronized ClusterWebhook shared() throws Exception {
        if (shared == null) {
            shared = install(ControlPlane.shared());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stopQuietly));
            shared.start();
        }
        return shared;
    }

    /**
     * The webhook installed on another control plane (e.g. one of a test's own), not started: start it
     * with {@link #restartWith}, stop it with {@link #close}.
     */
    public static ClusterWebhook install(ControlPlane cluster) throws Exception {
        int port = JarProcess.freePort();
        Path tree = copyDeployTree(cluster.dir().resolve("deploy"));
        Path out = tree.resolve("kubernetes/overlays/certs-command/certs/out");
        JarProcess.start(List.of(), "certs", "--out", out.toString(), "--ip", "127.0.0.1").waitFor(60);
        if (!Files.isRegularFile(out.resolve("secret.yaml"))) {
            throw new IllegalStateException("the certs command wrote no secret.yaml to " + out);
        }
        String rendered = cluster.kubectl(null, "kustomize", tree.resolve("kubernetes/overlays/certs-command").toString())
                .orThrow().stdout();
        cluster.kubectl(pointAtLocalProcess(rendered, port), "apply", "--server-side", "-f", "-").orThrow();
        Path kubeconfig = cluster.serviceAccountKubeconfig(NAMESPACE, "first-ordinal");
        return new ClusterWebhook(cluster, out, kubeconfig, port, JarProcess.freePort());
    }

    /** The deploy/ tree copied aside, so that generated keys never land in the repository. */
    static Path copyDeployTree(Path target) throws IOException {
        Path source = Path.of("deploy");
        if (Files.exists(target)) { // a previous run's copy, with its generated keys
            try (Stream<Path> old = Files.walk(target)) {
                for (Path file : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(file);
                }
            }
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    /** The shipped manifests with the webhook's clientConfig.service replaced by a URL on 127.0.0.1. */
    static String pointAtLocalProcess(String manifests, int port) throws IOException {
        return pointAtLocalProcess(manifests, "127.0.0.1", port);
    }

    /** The same, for a host name the serving certificate carries (e.g. {@code localhost}). */
    static String pointAtLocalProcess(String manifests, String host, int port) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(manifests)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode doc : documents) {
            if ("MutatingWebhookConfiguration".equals(doc.path("kind").asText())) {
                for (JsonNode webhook : doc.path("webhooks")) {
                    ObjectNode clientConfig = (ObjectNode) webhook.get("clientConfig");
                    JsonNode service = clientConfig.remove("service");
                    clientConfig.put("url", "https://" + host + ":" + port + service.path("path").asText("/mutate"));
                }
            }
            out.append(YAML.writeValueAsString(doc));
        }
        return out.toString();
    }

    public synchronized void start() throws Exception {
        start(List.of());
    }

    /** Stops the webhook if it runs and starts it with these extra JVM options (system properties). */
    public synchronized void restartWith(String... jvmOptions) throws Exception {
        restartWith(JarProcess.JAR, List.of(jvmOptions));
    }

    /** {@link #restartWith(String...)} with another build's jar (a benchmark's baseline). */
    public synchronized void restartWith(Path jar, List<String> jvmOptions) throws Exception {
        stop();
        start(jar, jvmOptions);
    }

    private void start(List<String> extraOptions) throws Exception {
        start(JarProcess.JAR, extraOptions);
    }

    private void start(Path jar, List<String> extraOptions) throws Exception {
        if (process != null && process.process().isAlive()) {
            return;
        }
        List<String> options = options(port, managementPort);
        options.addAll(extraOptions);
        process = JarProcess.start(jar, Map.of("KUBECONFIG", kubeconfig.toString()), options);
        process.awaitReady(managementPort, Duration.ofSeconds(60));
    }

    private List<String> options(int httpsPort, int management) {
        return new ArrayList<>(List.of(
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dfirst-ordinal.admission.management-port=" + management,
                "-Dfirst-ordinal.tls.cert-file=" + certs.resolve("tls.crt"),
                "-Dfirst-ordinal.tls.key-file=" + certs.resolve("tls.key"),
                "-Dquarkus.shutdown.delay-enabled=false"));
    }

    /** Another webhook replica: its own process and ports, the same certificate and ServiceAccount (the API server does not call it). */
    public record Replica(String podName, JarProcess process, int managementPort) implements AutoCloseable {

        public String metrics() throws Exception {
            return ClusterWebhook.metrics(managementPort);
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    /** Starts a {@link Replica} named {@code podName} (its Lease identity) and waits until it is ready. */
    public Replica startReplica(String podName) throws Exception {
        int management = JarProcess.freePort();
        JarProcess replica = JarProcess.start(Map.of("KUBECONFIG", kubeconfig.toString(), "POD_NAME", podName),
                options(JarProcess.freePort(), management));
        replica.awaitReady(management, Duration.ofSeconds(60));
        return new Replica(podName, replica, management);
    }

    public synchronized void stop() throws Exception {
        if (process != null) {
            process.close();
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (Exception ignored) {
            // the JVM is exiting
        }
    }

    /** The running (or exited) webhook process; null before the first start. */
    public Process process() {
        return process == null ? null : process.process();
    }

    /** The webhook's log so far (the packaged jar's stdout and stderr). */
    public String log() throws IOException {
        return process.output();
    }

    /** The webhook's metrics text from its management port. */
    public String metrics() throws Exception {
        return metrics(managementPort);
    }

    static String metrics(int managementPort) throws Exception {
        return METRICS_CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * One series of {@link #metrics()}, summed over the lines whose labels contain {@code labels}; an
     * AssertionError with the log's end when the webhook has exited.
     */
    public double metric(String name, String labels) {
        Process running = process();
        if (running != null && !running.isAlive()) {
            String log = process.outputOrWhyNot();
            throw new AssertionError("the webhook exited (" + running.exitValue() + "):\n…" + log.substring(Math.max(0, log.length() - 3000)));
        }
        try {
            return Metrics.sum(metrics(), name, labels);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL the API server posts reviews to. */
    public URI mutateUri() {
        return URI.create("https://127.0.0.1:" + port + "/mutate");
    }

    public Path certificates() {
        return certs;
    }

    public ControlPlane cluster() {
        return cluster;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
