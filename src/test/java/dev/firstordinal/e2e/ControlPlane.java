package dev.firstordinal.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The real control plane of the {@code *ClusterIT} tests: etcd, kube-apiserver and
 * kube-controller-manager started once per test JVM by {@code src/e2e/control-plane.sh} and stopped
 * by it when the JVM exits, whether the tests passed or not. There is no kubelet: pods stay Pending.
 *
 * <p>It never skips: when Go cannot build the binaries or the processes do not become ready, the
 * first test that asks for it fails with the script's message.
 */
public final class ControlPlane implements AutoCloseable {

    static final Path SCRIPT = Path.of("src", "e2e", "control-plane.sh").toAbsolutePath();
    private static final long START_TIMEOUT_SECONDS = 3600; // a cold build of the binaries is included

    private static ControlPlane shared;
    private static IllegalStateException startFailure;

    private final Path script;
    private final Path dir;
    private final Path bin;
    private final KubernetesClient admin;
    private final Properties env;

    private ControlPlane(Path script, Path dir, Path bin, Properties env) {
        this.script = script;
        this.dir = dir;
        this.bin = bin;
        this.env = env;
        this.admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig()))).build();
    }

    /** The control plane shared by every test in this JVM, started on first use. */
    public static synchronized ControlPlane shared() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (shared == null) {
            try {
                shared = start("control-plane");
            } catch (IllegalStateException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /**
     * A control plane of its own (a fresh etcd: a cluster nothing was installed in), under
     * {@code target/e2e/<name>}; {@link #close()} stops it, and so does the JVM's exit.
     */
    public static ControlPlane start(String name) {
        return start(SCRIPT, Path.of("target", "e2e", name).toAbsolutePath());
    }

    /**
     * The cluster that {@code script start dir} starts ({@code control-plane.sh}, or {@code node.sh} for a real
     * node); {@code script stop dir} stops it, at {@link #close()} or at the JVM's exit.
     */
    static ControlPlane start(Path script, Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> script(script, "stop", dir, 300)));
        try {
            Command started = script(script, "start", dir, START_TIMEOUT_SECONDS).orThrow();
            Properties env = new Properties();
            try (var in = Files.newBufferedReader(dir.resolve("env"))) {
                env.load(in);
            }
            System.err.println(started.stderr().lines().filter(l -> l.contains("ready in") || l.contains("binaries ready"))
                    .reduce((a, b) -> a + "\n" + b).orElse(""));
            return new ControlPlane(script, dir, Path.of(env.getProperty("FIRST_ORDINAL_E2E_BIN")), env);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the real cluster did not start (" + script + " start " + dir
                    + "): " + e.getMessage(), e);
        }
    }

    /** Stops this control plane's processes (the shared one stops when the JVM exits). */
    @Override
    public void close() {
        admin.close();
        script(script, "stop", dir, 300);
    }

    /** A path or version from the control plane's env file (e.g. FIRST_ORDINAL_E2E_VELERO_CRDS). */
    public String setting(String key) {
        String value = env.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(key + " is not in " + dir.resolve("env"));
        }
        return value;
    }

    private static Command script(Path script, String verb, Path dir, long timeoutSeconds) {
        return Command.run(List.of("bash", script.toString(), verb, dir.toString()), Map.of(), null, timeoutSeconds);
    }

    /** Stops the API server and starts it again on the same port, with the same etcd. */
    public void restartApiServer() {
        script(SCRIPT, "restart-apiserver", dir, 120).orThrow();
    }

    /** A cluster-admin client (client certificate in group system:masters). */
    public KubernetesClient admin() {
        return admin;
    }

    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    public Path dir() {
        return dir;
    }

    public String server() {
        return admin.getConfiguration().getMasterUrl();
    }

    /** kubectl (built at the API server's version) as cluster-admin. */
    public Command kubectl(String stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of(bin.resolve("kubectl").toString(), "--kubeconfig", kubeconfig().toString()));
        argv.addAll(List.of(args));
        return Command.run(argv, Map.of(), stdin, 120);
    }

    public Path kubectlBinary() {
        return bin.resolve("kubectl");
    }

    /**
     * A kubeconfig for a ServiceAccount, with a token from the TokenRequest API: the identity a pod
     * of that ServiceAccount has, so what it may do is exactly what the shipped RBAC grants.
     */
    public Path serviceAccountKubeconfig(String namespace, String serviceAccount) {
        return serviceAccountKubeconfig(namespace, serviceAccount, new String[0]);
    }

    /** The same, with more {@code kubectl create token} arguments (e.g. {@code --bound-object-kind Pod}). */
    public Path serviceAccountKubeconfig(String namespace, String serviceAccount, String... tokenArgs) {
        List<String> args = new ArrayList<>(List.of("create", "token", serviceAccount, "-n", namespace, "--duration", "2h"));
        args.addAll(List.of(tokenArgs));
        String token = kubectl(null, args.toArray(new String[0])).orThrow().stdout().strip();
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: e2e
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: %s
                    user:
                      token: %s
                contexts:
                  - name: e2e
                    context: {cluster: e2e, user: %s, namespace: %s}
                current-context: e2e
                """.formatted(server(), dir.resolve("pki").resolve("ca.crt"), serviceAccount, token, serviceAccount, namespace);
        try {
            Path file = Files.createTempFile(dir, "sa-" + namespace + "-" + serviceAccount, ".kubeconfig");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path caCertificate() {
        return dir.resolve("pki").resolve("ca.crt");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
