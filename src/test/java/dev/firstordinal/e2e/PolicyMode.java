package dev.firstordinal.e2e;

import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.testing.JarProcess;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Policy mode on a control plane of its own: {@code deploy/kubernetes/overlays/policy} applied as
 * shipped (its Deployment never runs: there is no kubelet), and {@code policy-sync} run from the
 * packaged jar as the overlay's ServiceAccount, with exactly the overlay's RBAC.
 */
final class PolicyMode implements AutoCloseable {

    static final String OVERLAY = "deploy/kubernetes/overlays/policy";
    static final String INSTALL_NAMESPACE = "first-ordinal";
    static final String CONFIG_MAP = "first-ordinal-start-ordinals";
    static final String LEASE = "first-ordinal-policy-sync";

    private static PolicyMode shared;

    private final ControlPlane cluster;
    private final Path syncKubeconfig;
    private JarProcess sync;
    private int syncs;

    private PolicyMode(ControlPlane cluster) {
        this.cluster = cluster;
        cluster.kubectl(null, "apply", "-k", OVERLAY).orThrow();
        syncKubeconfig = cluster.serviceAccountKubeconfig(INSTALL_NAMESPACE, "first-ordinal-policy-sync");
        awaitPolicyActive(cluster.admin());
    }

    /** One policy-mode cluster per test JVM; it stops when the JVM exits. */
    static synchronized PolicyMode shared() {
        if (shared == null) {
            shared = new PolicyMode(ControlPlane.start("policy"));
            PolicyMode started = shared;
            // Before the control plane's own hook stops the API server, so policy-sync does not outlive the tests.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.stopSync();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        return shared;
    }

    ControlPlane cluster() {
        return cluster;
    }

    KubernetesClient admin() {
        return cluster.admin();
    }

    /** Starts policy-sync (if it is not running) and waits until it holds the Lease. */
    synchronized void startSync() throws IOException {
        if (sync != null && sync.process().isAlive()) {
            return;
        }
        syncs++;
        JarProcess started = JarProcess.start(Map.of("KUBECONFIG", syncKubeconfig.toString(), "POD_NAMESPACE", INSTALL_NAMESPACE,
                "POD_NAME", "policy-sync-" + syncs), List.of("-XX:TieredStopAtLevel=1"), "policy-sync");
        sync = started;
        Waits.until(Duration.ofSeconds(60), "policy-sync holds the Lease", () -> {
            String log = started.outputOrWhyNot();
            if (!started.process().isAlive()) {
                throw new IllegalStateException("policy-sync exited " + started.process().exitValue() + ":\n" + log);
            }
            return log.contains("holds the Lease " + LEASE + "; watching") ? log : null;
        });
    }

    /** Stops policy-sync (SIGTERM: it releases the Lease) and returns its log. */
    synchronized String stopSync() throws InterruptedException {
        if (sync == null) {
            return "";
        }
        try {
            sync.process().destroy();
            sync.waitFor(30);
            return sync.outputOrWhyNot();
        } finally {
            sync.close();
            sync = null;
        }
    }

    synchronized String syncLog() {
        return sync == null ? "" : sync.outputOrWhyNot();
    }

    /** The start-ordinal ConfigMap's data. */
    Map<String, String> params() {
        var map = admin().configMaps().inNamespace(INSTALL_NAMESPACE).withName(CONFIG_MAP).get();
        return map == null || map.getData() == null ? Map.of() : map.getData();
    }

    /**
     * Waits until the API server runs the policy: policies reach admission through an informer, a
     * moment after they are created. Probes with a dry-run pod (mutated, never stored).
     */
    static void awaitPolicyActive(KubernetesClient client) {
        String probe = "e2e-policy-probe";
        ClusterWorkloads.namespace(client, probe, ClusterWorkloads.OPTED_IN);
        Pod pod = new PodBuilder().withNewMetadata().withName("probe-0").withNamespace(probe)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName("probe")
                .withUid("00000000-0000-4000-8000-000000000000").withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec().build();
        Waits.until(Duration.ofSeconds(60), "the MutatingAdmissionPolicy marks a dry-run pod", () -> {
            Pod answered = client.pods().inNamespace(probe).resource(pod).dryRun().create();
            Map<String, String> labels = answered.getMetadata().getLabels();
            return labels != null && labels.containsKey(MarkingPolicy.DEFAULT_LABEL_KEY) ? answered : null;
        });
    }

    @Override
    public void close() throws InterruptedException {
        stopSync();
        cluster.close();
    }
}
