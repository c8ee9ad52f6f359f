package dev.firstordinal.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Kubernetes client of a CLI command, as kubectl finds its cluster: {@code --kubeconfig}
 * (else {@code $KUBECONFIG}, else {@code ~/.kube/config}, else a pod's service account) and
 * {@code --context}. It fails fast, as kubectl does: no cluster configured is one line at once, and
 * a request that fails is not retried.
 */
public final class ClusterAccess {

    /** Connecting gives up after this; kubectl's default has no bound, but a dead address should not hang a CLI. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private ClusterAccess() {
    }

    /** No cluster to talk to, or a kubeconfig that cannot be used: the message is one line for the user. */
    public static final class NoCluster extends Exception {
        NoCluster(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param kubeconfig {@code --kubeconfig}, or null for the usual search
     * @param context    {@code --context}, or null for the kubeconfig's current context
     */
    public static KubernetesClient client(Path kubeconfig, String context) throws NoCluster {
        Config config;
        if (kubeconfig != null) {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new NoCluster("--kubeconfig " + kubeconfig + ": no such file");
            }
            try {
                config = Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
            } catch (IOException | RuntimeException e) {
                throw new NoCluster("--kubeconfig " + kubeconfig + ": " + oneLine(e));
            }
        } else {
            if (!ClusterlessServe.clusterConfigured(System::getenv, Path.of(System.getProperty("user.home", "/")))) {
                throw new NoCluster("no cluster configured: no $KUBECONFIG, no ~/.kube/config, not in a pod; give --kubeconfig FILE");
            }
            try {
                config = Config.autoConfigure(context);
            } catch (RuntimeException e) {
                throw new NoCluster("cannot read the kubeconfig: " + oneLine(e));
            }
        }
        if (context != null && (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName()))) {
            throw new NoCluster("context \"" + context + "\" is not in the kubeconfig");
        }
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
