package dev.firstordinal.e2e;

import dev.firstordinal.testing.JarProcess;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The self-managed overlay with its shipped RBAC, on a control plane of its own: two webhook
 * processes (two replicas behind a Service: {@link TcpServiceProxy} spreads connections) elect a
 * leader through the real Lease; the leader writes the Secret and the caBundle; the API server then
 * calls the webhook through that trust. Killing the leader hands over within the lease time, and a
 * forced rotation (the Secret deleted: a new CA) fails no pod CREATE.
 *
 * <p>Changed from the overlay, as for every real-cluster test: {@code clientConfig.url}
 * {@code https://localhost:PORT/mutate} instead of the Service, so the certificate also carries
 * {@code localhost} ({@code first-ordinal.tls.dns-names=localhost}, the documented setting).
 */
@Tag("real-cluster")
class SelfManagedTlsClusterIT {

    private static final String NS = "first-ordinal";
    private static final String WORKLOADS = "e2e-self-managed";
    private static final Duration LEASE = Duration.ofSeconds(15); // shipped first-ordinal.tls.lease-duration
    private static final Duration RETRY = Duration.ofSeconds(2);  // shipped first-ordinal.tls.lease-retry-period

    private static ControlPlane cluster;
    private static KubernetesClient client;
    private static int port;
    private static TcpServiceProxy service;
    private static Path kubeconfig;
    private static final Map<String, JarProcess> replicas = new java.util.LinkedHashMap<>();

    @BeforeAll
    static void installTheSelfManagedOverlay() throws Exception {
        cluster = ControlPlane.start("self-managed");
        client = cluster.admin();
        List<Integer> replicaPorts = List.of(JarProcess.freePort(), JarProcess.freePort());
        service = new TcpServiceProxy(replicaPorts);
        port = service.port();
        Path deploy = ClusterWebhook.copyDeployTree(cluster.dir().resolve("deploy"));
        String rendered = cluster.kubectl(null, "kustomize", deploy.resolve("kubernetes/overlays/self-managed").toString()).orThrow().stdout();
        cluster.kubectl(ClusterWebhook.pointAtLocalProcess(rendered, "localhost", port), "apply", "--server-side", "-f", "-").orThrow();
        kubeconfig = cluster.serviceAccountKubeconfig(NS, "first-ordinal");
        ClusterWorkloads.namespace(client, WORKLOADS, ClusterWorkloads.OPTED_IN);
        replicas.put("first-ordinal-a", startReplica("first-ordinal-a", replicaPorts.get(0)));
        replicas.put("first-ordinal-b", startReplica("first-ordinal-b", replicaPorts.get(1)));
    }

    private static JarProcess startReplica(String name, int httpsPort) throws Exception {
        int management = JarProcess.freePort();
        JarProcess process = JarProcess.start(Map.of("KUBECONFIG", kubeconfig.toString(), "POD_NAME", name, "POD_NAMESPACE", NS,
                "FIRST_ORDINAL_TLS_MODE", "self-managed"), List.of(
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dfirst-ordinal.admission.management-port=" + management,
                "-Dfirst-ordinal.tls.dns-names=localhost", "-Dquarkus.shutdown.delay-enabled=false"));
        process.awaitReady(management, Duration.ofSeconds(90));
        return process;
    }

    @AfterAll
    static void stop() throws Exception {
        for (JarProcess p : replicas.values()) {
            p.close();
        }
        if (service != null) {
            service.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String secretCa() {
        Secret secret = client.secrets().inNamespace(NS).withName("first-ordinal-tls").get();
        return secret == null || secret.getData() == null ? null : secret.getData().get("ca.crt");
    }

    private static String caBundle() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("first-ordinal").get()
                .getWebhooks().get(0).getClientConfig().getCaBundle();
    }

    private static String leader() {
        Lease lease = client.leases().inNamespace(NS).withName("first-ordinal-tls").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** A one-pod shard, created until its pod comes out marked: the API server's webhook client may lag a caBundle change by a moment. */
    private static Pod markedShard(String prefix) {
        AtomicInteger attempt = new AtomicInteger();
        return Waits.until(Duration.ofSeconds(30), "a marked pod through the self-managed trust", () -> {
            String name = prefix + "-" + attempt.incrementAndGet();
            ClusterWorkloads.create(client, ClusterWorkloads.shard(WORKLOADS, name, 1).build());
            Pod pod = ClusterWorkloads.awaitPods(client, WORKLOADS, name, 1).get(0);
            return marks(pod).size() == StoredPods.hookFor("redis").size() + 1 ? pod : null;
        });
    }

    @Test
    void electsALeaderPublishesTheTrustHandsOverAndRotatesWithoutFailingAPodCreate() throws Exception {
        String ca = Waits.until(Duration.ofSeconds(60), "the Secret's CA", SelfManagedTlsClusterIT::secretCa);
        Waits.until(Duration.ofSeconds(60), "caBundle == the Secret's ca.crt", () -> ca.equals(caBundle()));
        String first = Waits.until(Duration.ofSeconds(30), "a Lease holder", SelfManagedTlsClusterIT::leader);
        assertThat(replicas).containsKey(first);
        markedShard("trusted");

        // Kill the leader (SIGKILL: no release of the Lease); the other replica takes it when it expires.
        long killed = System.nanoTime();
        replicas.get(first).process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        String second = replicas.keySet().stream().filter(n -> !n.equals(first)).findFirst().orElseThrow();
        Waits.until(LEASE.plus(RETRY).plus(Duration.ofSeconds(10)), "the Lease handed over", () -> second.equals(leader()));
        long handover = (System.nanoTime() - killed) / 1_000_000;
        System.err.printf("self-managed TLS: leader %s killed; %s holds the Lease after %d ms (lease %d s)%n",
                first, second, handover, LEASE.toSeconds());
        assertThat(handover).isLessThanOrEqualTo(LEASE.plus(RETRY).plus(Duration.ofSeconds(5)).toMillis());

        // Forced rotation while pods are being created: every CREATE must succeed (fail open at worst).
        StatefulSet owner = ClusterWorkloads.create(client, ClusterWorkloads.shard(WORKLOADS, "rotation", 0).build());
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger created = new AtomicInteger();
        ExecutorService creators = Executors.newFixedThreadPool(2);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<java.util.concurrent.Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            loops.add(creators.submit(() -> {
                for (int i = 0; i < 200 && System.nanoTime() < until; i++) {
                    String name = "rotation-" + (thread * 1000 + i);
                    try {
                        client.pods().inNamespace(WORKLOADS).resource(new PodBuilder()
                                .withNewMetadata().withName(name).withLabels(Map.of("app", "rotation-probe"))
                                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName("rotation")
                                .withUid(owner.getMetadata().getUid()).withController(true).endOwnerReference()
                                .endMetadata()
                                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec()
                                .build()).create();
                        created.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(name + ": " + e.getMessage());
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        Thread.sleep(2_000);
        client.secrets().inNamespace(NS).withName("first-ordinal-tls").delete();
        String rotated = Waits.until(Duration.ofSeconds(60), "a new CA in a new Secret", () -> {
            String now = secretCa();
            return now != null && !now.equals(ca) ? now : null;
        });
        String rotatedPem = new String(java.util.Base64.getDecoder().decode(rotated)).strip();
        Waits.until(Duration.ofSeconds(60), "the new CA in the caBundle",
                () -> new String(java.util.Base64.getDecoder().decode(caBundle())).contains(rotatedPem));
        for (var loop : loops) {
            loop.get();
        }
        creators.shutdown();
        System.err.printf("self-managed TLS: %d pod CREATEs during the rotation, %d failed%n", created.get(), failures.size());
        assertThat(failures).as("pod CREATEs that failed during the rotation").isEmpty();
        assertThat(created.get()).isGreaterThan(20);
        markedShard("after-rotation");
    }
}
