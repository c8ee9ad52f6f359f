package dev.firstordinal.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code serve} with no cluster configured at all (no {@code $KUBECONFIG}, no
 * {@code ~/.kube/config}, not in a pod, no API server URL): the StatefulSet cache and the coverage
 * gauges, which would retry against a cluster that is not there and log stack traces, and the
 * repairer, which has no namespace for its Lease, are turned off, and one line says so. Settings the
 * user gave explicitly are kept.
 */
final class ClusterlessServe {

    static final String CACHE = "first-ordinal.statefulset-cache.enabled";
    static final String COVERAGE = "first-ordinal.coverage.enabled";
    static final String REPAIR = "first-ordinal.repair.enabled";

    private ClusterlessServe() {
    }

    static void prepare(PrintStream err) {
        if (clusterConfigured(System::getenv, Path.of(System.getProperty("user.home", "/")))) {
            return;
        }
        boolean changed = false;
        for (String setting : new String[] {CACHE, COVERAGE, REPAIR}) {
            if (Settings.get(setting, null) == null) {
                System.setProperty(setting, "false");
                changed = true;
            }
        }
        if (changed) {
            dev.firstordinal.cluster.NoCluster.announced();
            err.println("first-ordinal: no Kubernetes cluster configured ($KUBECONFIG, ~/.kube/config or a pod's service account):"
                    + " running without StatefulSet facts (every set starts at ordinal 0), without coverage gauges and without self-repair");
        }
    }

    /** Whether fabric8's client would find a cluster to talk to: a kubeconfig file, a pod's environment, or a master URL. */
    static boolean clusterConfigured(UnaryOperator<String> env, Path home) {
        String kubeconfig = env.apply("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            for (String file : kubeconfig.split(java.io.File.pathSeparator)) {
                if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
                    return true;
                }
            }
        }
        if (Files.isRegularFile(home.resolve(".kube").resolve("config"))) {
            return true;
        }
        for (String variable : new String[] {"KUBERNETES_SERVICE_HOST", "KUBERNETES_MASTER"}) {
            String value = env.apply(variable);
            if (value != null && !value.isBlank()) {
                return true;
            }
        }
        return Settings.get("quarkus.kubernetes-client.api-server-url", null) != null
                || System.getProperty("kubernetes.master") != null || System.getProperty("kubeconfig") != null;
    }

    /** For tests: the environment as a map. */
    static boolean clusterConfigured(Map<String, String> env, Path home) {
        return clusterConfigured(env::get, home);
    }
}
