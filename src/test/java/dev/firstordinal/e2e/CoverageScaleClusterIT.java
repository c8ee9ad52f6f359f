package dev.firstordinal.e2e;

import dev.firstordinal.testing.ImageJvm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #31: thousands of StatefulSets in opted-in namespaces, and the packaged jar run with the
 * image's JVM flags ({@code -Xmx96m}, {@code -XX:+ExitOnOutOfMemoryError}). The coverage gauges and
 * {@code audit} must read them all without running out of heap: the webhook stays up through
 * several coverage runs and still marks pods, and {@code audit} reports every set. A control plane
 * of its own, so that the other tests' clusters stay small.
 */
@Tag("real-cluster")
class CoverageScaleClusterIT {

    private static final int NAMESPACES = 8;
    private static final int SETS = 4000;
    private static final String STATEFULSETS = "first_ordinal_statefulsets";
    private static final String LAST_SUCCESS = "first_ordinal_coverage_last_success_timestamp_seconds";
    private static ControlPlane cluster;
    private static ClusterWebhook webhook;
    private static KubernetesClient client;

    @BeforeAll
    static void thousandsOfStatefulSets() throws Exception {
        cluster = ControlPlane.start("scale");
        webhook = ClusterWebhook.install(cluster);
        client = cluster.admin();
        for (int n = 0; n < NAMESPACES; n++) {
            ClusterWorkloads.namespace(client, namespace(n), ClusterWorkloads.OPTED_IN);
        }
        assertThat(Serialization.asJson(ClusterWorkloads.fleetShard(namespace(0), "size").getSpec().getTemplate()).length())
                .as("pod template JSON size").isBetween(1400, 2000);
        long began = System.nanoTime();
        List<StatefulSet> sets = new ArrayList<>();
        for (int i = 0; i < SETS; i++) {
            sets.add(ClusterWorkloads.fleetShard(namespace(i % NAMESPACES), "shard-" + i));
        }
        ClusterWorkloads.createAll(client, sets);
        System.err.printf("created %d StatefulSets in %d namespaces in %d s%n", SETS, NAMESPACES,
                Duration.ofNanos(System.nanoTime() - began).toSeconds());
    }

    @AfterAll
    static void stop() throws Exception {
        if (webhook != null) {
            webhook.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String namespace(int n) {
        return "e2e-fleet-" + n;
    }

    private static double metric(String name, String labels) {
        return webhook.metric(name, labels);
    }

    @Test
    void theWebhookWithTheImageHeapSurvivesCoverageRunsAndKeepsMarking() throws Exception {
        List<String> options = new ArrayList<>(ImageJvm.flags());
        options.addAll(List.of("-Dfirst-ordinal.coverage.initial-delay=1s", "-Dfirst-ordinal.coverage.interval=5s"));
        webhook.restartWith(options.toArray(new String[0]));

        double first = Waits.until(Duration.ofSeconds(90), () -> "a first coverage run; log:\n" + tail(log(), 3000), () -> {
            double last = metric(LAST_SUCCESS, "");
            return last > 0 ? last : null;
        });
        Waits.until(Duration.ofSeconds(90), () -> "a second coverage run; log:\n" + tail(log(), 3000),
                () -> metric(LAST_SUCCESS, "") > first);
        // Scaled to 0: no first-ordinal pod, so every set is uncovered, and each is counted in its namespace.
        assertThat(metric(STATEFULSETS, "state=\"uncovered\"")).isEqualTo(SETS);
        assertThat(metric(STATEFULSETS, "namespace=\"" + namespace(3) + "\",state=\"uncovered\"")).isEqualTo(SETS / NAMESPACES);
        assertThat(metric(STATEFULSETS, "state=\"covered\"")).isZero();

        ClusterWorkloads.scale(client, namespace(5), "shard-5", 2);
        List<Pod> pods = ClusterWorkloads.awaitPods(client, namespace(5), "shard-5", 2);
        assertThat(marks(pods.get(0))).containsKey("label " + LABEL);
        assertThat(marks(pods.get(1))).isEmpty();
        System.err.println("webhook after two coverage runs: " + memory(webhook.process().pid()));
        assertThat(webhook.process().isAlive()).as("the webhook is still running").isTrue();
        assertThat(log()).doesNotContain("OutOfMemoryError");
    }

    @Test
    void auditWithTheImageHeapReportsEveryStatefulSet() throws Exception {
        Command audit = JarCommand.run(cluster.kubeconfig(), Map.of(), ImageJvm.flags(), "audit", "-o", "json");
        assertThat(audit.stderr()).doesNotContain("OutOfMemoryError");
        assertThat(audit.exitCode()).as("uncovered sets: exit 1; stderr:\n" + tail(audit.stderr(), 3000)).isEqualTo(1);
        var summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(audit.stdout()).path("summary");
        assertThat(summary.path("statefulSets").asInt()).isEqualTo(SETS);
        // The other test scales one set up, which the webhook marks: covered, if it ran first.
        assertThat(summary.path("uncovered").asInt()).isBetween(SETS - 1, SETS);
        assertThat(summary.path("uncovered").asInt() + summary.path("covered").asInt()).isEqualTo(SETS);
    }

    private static String log() {
        try {
            return webhook.log();
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static String tail(String text, int chars) {
        return text.length() <= chars ? text : "…" + text.substring(text.length() - chars);
    }

    /** Resident and peak resident memory of a process, from /proc. */
    static String memory(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM")).map(l -> l.replaceAll("\\s+", " "))
                .reduce((a, b) -> a + ", " + b).orElse("?");
    }
}
