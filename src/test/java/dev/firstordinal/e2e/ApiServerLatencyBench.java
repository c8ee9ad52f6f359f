package dev.firstordinal.e2e;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.policy.PolicyManifests;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pod CREATE latency through the real API server (bench/apiserver.sh runs it; not a test): pods with
 * a StatefulSet controller reference, created by 8 concurrent clients, in three namespaces that differ
 * only in what mutates their pods: nothing; first-ordinal's webhook (the packaged jar, shipped
 * configuration); the same mutation as a MutatingAdmissionPolicy (CEL inside the API server, the
 * native limit). The scenarios are interleaved in rounds so that drift on a shared machine hits each alike.
 *
 * <p>Each shard is a real StatefulSet (replicas 0, so its controller creates nothing) with three pods
 * created by the bench, ordinals 0..2: one in three is a first ordinal and is patched.
 */
public final class ApiServerLatencyBench {

    private static final int CLIENTS = 8;
    private static final int ROUNDS = 10;

    private ApiServerLatencyBench() {
    }

    public static void main(String[] args) {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path out = Path.of(args.length > 1 ? args[1] : "bench/out/apiserver-results.md");
        if (pods < 30 || pods > 5000) {
            throw new IllegalArgumentException("pods must be 30..5000, not " + pods);
        }
        ClusterBench.main("control-plane", out, (cluster, webhook) -> run(cluster, webhook, pods));
    }

    private static String run(ControlPlane cluster, ClusterWebhook webhook, int pods) throws Exception {
        webhook.start();
        KubernetesClient client = cluster.admin();
        Map<String, String> scenarios = new LinkedHashMap<>();
        scenarios.put("no mutation", "bench-none");
        scenarios.put("first-ordinal webhook", "bench-webhook");
        scenarios.put("MutatingAdmissionPolicy", "bench-policy");
        ClusterWorkloads.namespace(client, "bench-none", Map.of());
        ClusterWorkloads.namespace(client, "bench-webhook", ClusterWorkloads.OPTED_IN);
        ClusterWorkloads.namespace(client, "bench-policy", Map.of("bench.first-ordinal.dev/policy", "enabled"));
        cluster.kubectl(policy(), "apply", "-f", "-").orThrow();

        int shardsPerRound = Math.max(1, pods / 3 / ROUNDS);
        // Every StatefulSet exists (and is in the webhook's informer cache) before any pod is timed:
        // the steady state, where a shard's pods are created long after its set.
        Map<String, List<StatefulSet>> sets = new LinkedHashMap<>();
        for (String namespace : scenarios.values()) {
            List<StatefulSet> list = new ArrayList<>();
            for (int round = -1; round < ROUNDS; round++) {
                for (int s = 0; s < (round < 0 ? 4 : shardsPerRound); s++) {
                    list.add(ClusterWorkloads.create(client, ClusterWorkloads.shard(namespace, "r" + (round + 1) + "-s" + s, 0).build()));
                }
            }
            sets.put(namespace, list);
        }
        Thread.sleep(5_000);
        Map<String, List<Long>> micros = new LinkedHashMap<>();
        scenarios.keySet().forEach(s -> micros.put(s, new ArrayList<>()));
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        double loadBefore = ClusterBench.loadAverage();
        try {
            for (int round = -1; round < ROUNDS; round++) { // round -1: warm-up, not counted
                for (var scenario : scenarios.entrySet()) {
                    String prefix = "r" + (round + 1) + "-";
                    List<StatefulSet> roundSets = sets.get(scenario.getValue()).stream()
                            .filter(set -> set.getMetadata().getName().startsWith(prefix)).toList();
                    List<Long> times = createRound(client, pool, scenario.getValue(), roundSets);
                    if (round >= 0) {
                        micros.get(scenario.getKey()).addAll(times);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
        double loadAfter = ClusterBench.loadAverage();
        // Each scenario did what it says: first ordinals marked by the webhook and by the policy, nothing else.
        for (String namespace : scenarios.values()) {
            boolean marks = !namespace.equals("bench-none");
            for (int ordinal = 0; ordinal < 3; ordinal++) {
                var labels = client.pods().inNamespace(namespace).withName("r1-s0-" + ordinal).get().getMetadata().getLabels();
                boolean marked = MarkingPolicy.DEFAULT_LABEL_VALUE.equals(labels.get(MarkingPolicy.DEFAULT_LABEL_KEY));
                if (marked != (marks && ordinal == 0)) {
                    throw new IllegalStateException(namespace + "/r1-s0-" + ordinal + (marked ? " is" : " is not") + " marked");
                }
            }
        }
        return report(micros, loadBefore, loadAfter, cluster.admin().getKubernetesVersion().getGitVersion());
    }

    private static List<Long> createRound(KubernetesClient client, ExecutorService pool, String namespace, List<StatefulSet> sets)
            throws Exception {
        List<Future<Long>> calls = new ArrayList<>();
        for (StatefulSet set : sets) {
            for (int ordinal = 0; ordinal < 3; ordinal++) {
                Pod pod = ClusterWorkloads.ownedPod(set, ordinal, Map.of("bench", set.getMetadata().getName()));
                calls.add(pool.submit(() -> {
                    long started = System.nanoTime();
                    client.pods().inNamespace(namespace).resource(pod).create();
                    return (System.nanoTime() - started) / 1_000;
                }));
            }
        }
        List<Long> times = new ArrayList<>();
        for (Future<Long> call : calls) {
            times.add(call.get());
        }
        return times;
    }

    /**
     * The shipped policy (the renderer's, as {@code first-ordinal policy} prints it) for the bench's own
     * opt-in label, with its start-ordinal ConfigMap in {@code default} (empty: every set here starts at 0).
     */
    static String policy() {
        PolicyManifests.Settings settings = new PolicyManifests.Settings("bench-first-ordinal",
                new NamespaceLabel("bench.first-ordinal.dev/policy", "enabled"), List.of("kube-system"), "default", "bench-start-ordinals");
        return PolicyManifests.yaml(MarkingPolicy.defaults(), settings)
                + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bench-start-ordinals, namespace: default}\n";
    }

    private static String report(Map<String, List<Long>> micros, double loadBefore, double loadAfter, String version) {
        long[] base = sorted(micros.get("no mutation"));
        double baseP50 = percentile(base, 50);
        double baseP99 = percentile(base, 99);
        StringBuilder out = new StringBuilder();
        out.append("Pod CREATE through kube-apiserver ").append(version).append(" on loopback (bench/apiserver.sh): ")
                .append(base.length).append(" pods per scenario, ").append(CLIENTS).append(" concurrent clients, ")
                .append(ROUNDS).append(" interleaved rounds; one pod in three is a first ordinal.\n")
                .append(String.format("1-minute load average: %.2f before, %.2f after (2 cores; the API server, etcd, the controller manager,"
                        + " the webhook and the clients share them).%n%n", loadBefore, loadAfter))
                .append("| scenario | p50 ms | p99 ms | added p50 ms | added p99 ms |\n| --- | --- | --- | --- | --- |\n");
        Map<String, double[]> added = new LinkedHashMap<>();
        for (var entry : micros.entrySet()) {
            long[] t = sorted(entry.getValue());
            double p50 = percentile(t, 50);
            double p99 = percentile(t, 99);
            added.put(entry.getKey(), new double[] {p50 - baseP50, p99 - baseP99});
            out.append(String.format("| %s | %.2f | %.2f | %+.2f | %+.2f |%n", entry.getKey(), p50 / 1000, p99 / 1000,
                    (p50 - baseP50) / 1000, (p99 - baseP99) / 1000));
        }
        double[] webhook = added.get("first-ordinal webhook");
        double[] policy = added.get("MutatingAdmissionPolicy");
        out.append(String.format("%nAdded latency, webhook / policy: p50 %s, p99 %s.%n", ratio(webhook[0], policy[0]), ratio(webhook[1], policy[1])));
        return out.toString();
    }

    private static String ratio(double a, double b) {
        return b <= 0 ? String.format("%.2f ms vs %.2f ms (policy within noise)", a / 1000, b / 1000) : String.format("%.1f×", a / b);
    }

    private static long[] sorted(List<Long> values) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static double percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
