package dev.firstordinal.e2e;

import dev.firstordinal.testing.ImageJvm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #31: the shipped configuration (self-repair on, coverage on) and the image's JVM flags ({@code -Xmx96m},
 * {@code -XX:+ExitOnOutOfMemoryError}) with a few thousand Bitnami-sized StatefulSets and their pods (created through
 * the API, admitted by the webhook: every first ordinal carries the ~8.7 KB hook command), then an API-server restart:
 * every informer lists again, and a coverage run reads the cluster beside them. The webhook must stay up (no
 * {@code OutOfMemoryError}), report coverage for every set after the restart, and still mark a new first ordinal; and
 * {@code audit} with the same flags reads them all.
 * A control plane of its own, so that the other tests' clusters stay small.
 */
@Tag("real-cluster")
class RelistScaleClusterIT {

    private static final int NAMESPACES = 4;
    private static final int SETS = 2000;
    private static final int PODS_PER_SET = 2;
    private static final String STATEFULSETS = "first_ordinal_statefulsets";
    private static final String LAST_SUCCESS = "first_ordinal_coverage_last_success_timestamp_seconds";
    private static final String ENTRIES = "first_ordinal_statefulset_cache_entries";
    private static ControlPlane cluster;
    private static ClusterWebhook webhook;
    private static KubernetesClient client;

    @BeforeAll
    static void thousandsOfShardsWithTheirPods() throws Exception {
        cluster = ControlPlane.start("relist");
        webhook = ClusterWebhook.install(cluster);
        client = cluster.admin();
        for (int n = 0; n < NAMESPACES; n++) {
            ClusterWorkloads.namespace(client, namespace(n), ClusterWorkloads.OPTED_IN);
        }
        List<String> options = new ArrayList<>(ImageJvm.flags());
        options.addAll(List.of("-Dfirst-ordinal.coverage.initial-delay=1s", "-Dfirst-ordinal.coverage.interval=15s"));
        webhook.restartWith(options.toArray(new String[0]));

        long began = System.nanoTime();
        List<StatefulSet> sets = new ArrayList<>();
        for (int i = 0; i < SETS; i++) {
            sets.add(ClusterWorkloads.bitnamiShard(namespace(i % NAMESPACES), "shard-" + i, PODS_PER_SET));
        }
        ClusterWorkloads.createAll(client, sets);
        // The pods through the API (the controller would take minutes): each admitted by the webhook.
        List<Pod> pods = new ArrayList<>();
        for (int n = 0; n < NAMESPACES; n++) {
            client.apps().statefulSets().inNamespace(namespace(n)).list().getItems().forEach(set -> pods.addAll(shardPods(set)));
        }
        ClusterWorkloads.createAll(client, pods);
        System.err.printf("created %d StatefulSets and %d pods in %d namespaces in %d s; webhook: %s%n", SETS, SETS * PODS_PER_SET,
                NAMESPACES, Duration.ofNanos(System.nanoTime() - began).toSeconds(), CoverageScaleClusterIT.memory(webhook.process().pid()));
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
        return "e2e-relist-" + n;
    }

    @Test
    void theWebhookWithTheImageHeapSurvivesAnApiServerRestartWithThousandsOfShards() throws Exception {
        Waits.until(Duration.ofSeconds(120), () -> "every set in the cache; log:\n" + tail(log()),
                () -> webhook.metric(ENTRIES, "") >= SETS);
        double before = Waits.until(Duration.ofSeconds(120), () -> "a coverage run over every set; log:\n" + tail(log()), () -> {
            double total = total();
            return total == SETS ? webhook.metric(LAST_SUCCESS, "") : null;
        });
        System.err.println("webhook before the restart: " + CoverageScaleClusterIT.memory(webhook.process().pid()));

        cluster.restartApiServer();
        double restarted = System.currentTimeMillis() / 1000.0;
        Waits.until(Duration.ofSeconds(180), () -> "a coverage run after the API-server restart; log:\n" + tail(log()),
                () -> !webhook.process().isAlive() || webhook.metric(LAST_SUCCESS, "") > Math.max(before, restarted));
        assertThat(log()).doesNotContain("OutOfMemoryError");
        assertThat(webhook.process().isAlive()).as("the webhook is still running; log:\n" + tail(log())).isTrue();
        assertThat(total()).as("coverage reported for every set after the restart").isEqualTo(SETS);
        System.err.println("webhook after the relist and a coverage run: " + CoverageScaleClusterIT.memory(webhook.process().pid()));

        // Still answering: a new shard's first ordinal is marked, its second is not.
        StatefulSet probe = ClusterWorkloads.create(client, ClusterWorkloads.bitnamiShard(namespace(1), "after-restart", 2));
        List<Pod> probePods = shardPods(probe);
        ClusterWorkloads.createAll(client, probePods);
        Pod first = client.pods().inNamespace(namespace(1)).withName(probePods.get(0).getMetadata().getName()).get();
        Pod second = client.pods().inNamespace(namespace(1)).withName(probePods.get(1).getMetadata().getName()).get();
        assertThat(marks(first)).containsKey("label " + LABEL);
        assertThat(marks(second)).isEmpty();

        // audit with the same heap reads every set and its pods.
        Command audit = JarCommand.run(cluster.kubeconfig(), Map.of(), ImageJvm.flags(), "audit", "-o", "json");
        assertThat(audit.stderr() + audit.stdout()).doesNotContain("OutOfMemoryError"); // the JVM says so on stdout
        assertThat(audit.exitCode()).as("audit's exit (0: all covered, 1: a problem); stderr:\n" + tail(audit.stderr())
                + "\nstdout:\n" + tail(audit.stdout())).isBetween(0, 1);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(audit.stdout()).path("summary").path("statefulSets").asInt())
                .isEqualTo(SETS + 1);
        assertThat(webhook.process().isAlive()).isTrue();
    }

    /** The pods the StatefulSet controller would create for a created set (its uid in their owner reference). */
    private static List<Pod> shardPods(StatefulSet created) {
        Map<String, String> labels = new HashMap<>(created.getSpec().getTemplate().getMetadata().getLabels());
        List<Pod> pods = new ArrayList<>();
        for (int ordinal = 0; ordinal < created.getSpec().getReplicas(); ordinal++) {
            Pod pod = ClusterWorkloads.ownedPod(created, ordinal, labels);
            pod.getMetadata().setNamespace(created.getMetadata().getNamespace());
            pods.add(pod);
        }
        return pods;
    }

    private static double total() {
        return webhook.metric(STATEFULSETS, "state=\"covered\"") + webhook.metric(STATEFULSETS, "state=\"uncovered\"")
                + webhook.metric(STATEFULSETS, "state=\"overcovered\"") + webhook.metric(STATEFULSETS, "state=\"skipped\"");
    }

    private static String log() {
        try {
            return webhook.log();
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static String tail(String text) {
        return text.length() <= 3000 ? text : "…" + text.substring(text.length() - 3000);
    }
}
