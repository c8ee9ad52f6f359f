package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.ImageJvm;
import dev.firstordinal.testing.JarProcess;
import dev.firstordinal.testing.WebhookHttp;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue #31's scale run on a real control plane (bench/scale.sh runs it; not a test). The fleet grows in
 * stages (e.g. 1,000 then 10,000 StatefulSets) over ten opted-in namespaces, each set with a Bitnami-sized
 * template and PODS_PER_SET Pending pods that its controller creates through the API (no kubelet), each
 * admitted by the webhook: the packaged jar with the image's JVM flags. At start and at each stage it
 * reports RSS, peak RSS, heap used and heap after a full GC; after three coverage runs and after a relist
 * forced by an API-server restart, each coverage run's duration; after the webhook restarted over the whole fleet
 * (its informers' first lists; {@code SCALE_BASELINE_APP} restarts another build first, for the row before) the
 * same; the webhook's CPU per review with the
 * cache that full (against the nearly empty cache of the start, same process); and {@code audit} over
 * the whole cluster (time, peak RSS). Bounded: every wait ends at the run's deadline; the table is
 * rewritten after each row, so that a run cut short keeps what it measured.
 */
public final class ScaleBench {

    private static final int NAMESPACES = 10;
    private static final String PROBE_NAMESPACE = "probe";
    private static final String LAST_SUCCESS = "first_ordinal_coverage_last_success_timestamp_seconds";
    private static final String ENTRIES = "first_ordinal_statefulset_cache_entries";
    /** Reviews in flight at once while CPU per review is measured; a burst's reviews; bursts measured. */
    private static final int IN_FLIGHT = 16;
    private static final int BURST = 1000;
    private static final int BURSTS = 3;

    private final ControlPlane cluster;
    private final ClusterWebhook webhook;
    private final KubernetesClient client;
    private final int podsPerSet;
    private final Path out;
    private final long deadline;
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private StatefulSet probe;
    private List<String> options = List.of();

    private ScaleBench(ControlPlane cluster, ClusterWebhook webhook, int podsPerSet, Path out, Duration budget) {
        this.cluster = cluster;
        this.webhook = webhook;
        this.client = cluster.admin();
        this.podsPerSet = podsPerSet;
        this.out = out;
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** {@code ScaleBench STAGES PODS_PER_SET OUT [MINUTES]}: STAGES e.g. {@code 1000,10000}; the whole run ends within MINUTES (default 90). */
    public static void main(String[] args) throws Exception {
        int[] stages = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int podsPerSet = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        Duration budget = Duration.ofMinutes(args.length > 3 ? Long.parseLong(args[3]) : 90);
        for (int i = 0; i < stages.length; i++) {
            if (stages[i] < 10 || stages[i] > 100_000 || (i > 0 && stages[i] <= stages[i - 1])) {
                throw new IllegalArgumentException("stages grow, each 10..100000: " + args[0]);
            }
        }
        if (podsPerSet < 0 || podsPerSet > 5) {
            throw new IllegalArgumentException("pods per set 0..5, not " + podsPerSet);
        }
        List<String> options = new ArrayList<>(ImageJvm.flags());
        options.addAll(List.of("-Dfirst-ordinal.coverage.initial-delay=5s", "-Dfirst-ordinal.coverage.interval=30s"));
        String extra = System.getenv().getOrDefault("SCALE_WEBHOOK_OPTIONS", "").strip();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        ClusterBench.main("scale-bench", out, (cluster, webhook) -> {
            ScaleBench bench = new ScaleBench(cluster, webhook, podsPerSet, out, budget);
            return bench.run(stages, options);
        });
    }

    private String run(int[] stages, List<String> options) throws Exception {
        this.options = options;
        for (int n = 0; n < NAMESPACES; n++) {
            ClusterWorkloads.namespace(client, "fleet-" + n, ClusterWorkloads.OPTED_IN);
        }
        ClusterWorkloads.namespace(client, PROBE_NAMESPACE, ClusterWorkloads.OPTED_IN);
        probe = ClusterWorkloads.create(client, ClusterWorkloads.bitnamiShard(PROBE_NAMESPACE, "probe", podsPerSet));
        webhook.restartWith(options.toArray(new String[0]));
        await("the webhook's cache to hold the probe set", () -> metric(ENTRIES) >= 1);
        awaitCoverageRun();
        row("started: the probe set only", "");
        double emptyCache = reviewCpu(10); // a fresh JVM: its compilers and start-up work settle first
        note(String.format("CPU per review, cache holding 1 set (at start): %.0f µs", emptyCache));

        int created = 0;
        for (int stage : stages) {
            long began = System.nanoTime();
            List<StatefulSet> fleet = new ArrayList<>();
            for (int i = created; i < stage; i++) {
                fleet.add(ClusterWorkloads.bitnamiShard("fleet-" + (i % NAMESPACES), "shard-" + i, podsPerSet));
            }
            ClusterWorkloads.createAll(client, fleet);
            double setSeconds = seconds(began);
            int pods = (stage + 1) * podsPerSet;
            await("the StatefulSet controller to create " + pods + " pods", () -> countPods() >= pods);
            double podSeconds = seconds(began);
            await("the webhook's cache to hold every set", () -> metric(ENTRIES) >= stage + 1);
            int added = stage - created;
            created = stage;
            row(String.format("%,d sets: fleet created (%,d sets in %.0f s, %.1f/s; their %,d pods by %.0f s, %.1f/s)", stage, added,
                    setSeconds, added / setSeconds, added * podsPerSet, podSeconds, added * podsPerSet / podSeconds), "");
            for (int run = 1; run <= 3; run++) {
                awaitCoverageRun();
                row(String.format("%,d sets: after coverage run %d", stage, run), lastCoverage());
            }
            double fullCache = reviewCpu(2); // right after a coverage run: the next starts 30 s later
            note(String.format("CPU per review, cache holding %,d sets: %.0f µs (%.2f× the start's %.0f µs)", stage + 1, fullCache,
                    fullCache / emptyCache, emptyCache));
            cluster.restartApiServer();
            awaitCoverageRun();
            row(String.format("%,d sets: API server restarted, relist and a coverage run", stage), lastCoverage());
            if (webhook.log().contains("OutOfMemoryError")) {
                throw new IllegalStateException("the webhook ran out of memory:\n" + webhook.log());
            }
            restartOverTheFleet(stage);
            audit(stage);
        }
        String restarts = webhook.process().isAlive() ? "this build's webhook never exited on its own (the restarts above are the bench's)"
                : "THE WEBHOOK EXITED";
        note(restarts);
        return report();
    }

    /**
     * The webhook restarted over the whole fleet (a rollout, a crash): its informers' first lists of every set and
     * pod. With {@code SCALE_BASELINE_APP} (another build's {@code quarkus-app} directory) that build restarts first,
     * for the row before; then this build.
     */
    private void restartOverTheFleet(int stage) throws Exception {
        String baseline = System.getenv().getOrDefault("SCALE_BASELINE_APP", "").strip();
        if (!baseline.isEmpty()) {
            restartAndCover(stage, Path.of(baseline, "quarkus-run.jar"), "the baseline build");
        }
        restartAndCover(stage, JarProcess.JAR, "this build");
    }

    private void restartAndCover(int stage, Path jar, String build) throws Exception {
        String moment = String.format("%,d sets: %s restarted over the fleet, and a coverage run", stage, build);
        String outcome;
        try {
            webhook.restartWith(jar, options);
            outcome = await("a coverage run of the restarted webhook, or its exit", () -> {
                if (!webhook.process().isAlive()) {
                    return "exited";
                }
                return metric(LAST_SUCCESS) > 0 ? "covered" : null;
            });
        } catch (RuntimeException | AssertionError e) {
            if (webhook.process() != null && webhook.process().isAlive()) {
                throw e;
            }
            outcome = "exited";
        }
        if (outcome.equals("exited")) {
            String log = webhook.log();
            String why = log.lines().filter(l -> l.contains("OutOfMemoryError")).findFirst().orElse("(no OutOfMemoryError in its log)");
            note(String.format("%s: **the webhook exited** (exit %d): %s", moment, webhook.process().waitFor(), why.strip()));
            return;
        }
        row(moment, lastCoverage());
    }

    private void audit(int stage) throws Exception {
        List<String> audit = new ArrayList<>(List.of("/usr/bin/time", "-f", "audit: %e s, peak RSS %M KiB",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        audit.addAll(ImageJvm.flags());
        audit.addAll(List.of("-jar", JarProcess.JAR.toString(), "audit"));
        Command result = Command.run(audit, Map.of("KUBECONFIG", cluster.kubeconfig().toString()), null, Math.max(60, remaining().toSeconds()));
        // Without a summary, why: the last line of its stderr other than the timing (an OutOfMemoryError, a cluster error).
        String why = result.stderr().lines().filter(l -> !l.startsWith("audit: ") && !l.isBlank()).reduce((a, b) -> b).orElse("");
        String summary = result.stdout().lines().filter(l -> l.contains("StatefulSets in")).reduce((a, b) -> b)
                .orElse("(no summary: " + (why.length() > 300 ? why.substring(0, 300) + "…" : why) + ")");
        Matcher timing = Pattern.compile("audit: ([0-9.]+) s, peak RSS (\\d+) KiB").matcher(result.stderr());
        String measured = timing.find() ? String.format("%s s, peak RSS %d MiB", timing.group(1), Long.parseLong(timing.group(2)) / 1024)
                : "(no timing)";
        note(String.format("`audit` over %,d sets (exit %d, image flags): %s; %s", stage, result.exitCode(), measured, summary.strip()));
    }

    /**
     * The webhook's CPU (user + system) per review, median of {@link #BURSTS} bursts after {@code warmUp}
     * bursts: the review of the probe set's first-ordinal pod.
     */
    private double reviewCpu(int warmUp) throws Exception {
        WebhookHttp http = new WebhookHttp(webhook.mutateUri(), webhook.certificates().resolve("ca.crt"));
        Pod pod = ClusterWorkloads.ownedPod(probe, 0, probe.getSpec().getTemplate().getMetadata().getLabels());
        reviews(http, pod, warmUp * BURST);
        double[] micros = new double[BURSTS];
        for (int b = 0; b < BURSTS; b++) {
            long before = cpuTicks();
            reviews(http, pod, BURST);
            micros[b] = (cpuTicks() - before) * 10_000.0 / BURST; // a tick is 10 ms (USER_HZ 100)
        }
        Arrays.sort(micros);
        return micros[BURSTS / 2];
    }

    private static void reviews(WebhookHttp http, Pod pod, int count) {
        for (int sent = 0; sent < count; sent += IN_FLIGHT) {
            List<CompletableFuture<JsonNode>> flight = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                flight.add(http.createAsync(pod, PROBE_NAMESPACE));
            }
            for (CompletableFuture<JsonNode> review : flight) {
                JsonNode response = review.join().path("response");
                if (!response.path("allowed").asBoolean() || !response.has("patch")) {
                    throw new IllegalStateException("the probe's first ordinal was not marked: " + response);
                }
            }
        }
    }

    private long cpuTicks() throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(webhook.process().pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }

    private void awaitCoverageRun() {
        double before = metric(LAST_SUCCESS);
        await("a coverage run", () -> metric(LAST_SUCCESS) > before);
    }

    /** Polls every two seconds (a metrics scrape costs the webhook CPU) until the run's deadline. */
    private <T> T await(String what, Supplier<T> probe) {
        return Waits.until(remaining(), Duration.ofSeconds(2), () -> what, probe);
    }

    private Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** Pods in the cluster, counted from a paged metadata-only list. */
    private long countPods() {
        long count = 0;
        String next = null;
        do {
            var page = client.pods().inAnyNamespace().listAsPartialObjectMetadata(new ListOptionsBuilder().withLimit(500L).withContinue(next).build());
            count += page.getItems() == null ? 0 : page.getItems().size();
            next = page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        return count;
    }

    private double metric(String name) {
        return webhook.metric(name, "");
    }

    /** A table row: RSS, peak RSS and heap used now, then heap used after a full GC (jcmd GC.run). */
    private void row(String moment, String coverage) throws Exception {
        long pid = webhook.process().pid();
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        double heap = heapMiB();
        Command.run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run"), Map.of(), null, 60)
                .orThrow();
        rows.add(String.format("| %s | %d | %d | %.1f | %.1f | %s |", moment, kib(status, "VmRSS") / 1024, kib(status, "VmHWM") / 1024, heap,
                heapMiB(), coverage));
        ClusterBench.write(out, report());
        System.err.println(rows.get(rows.size() - 1));
    }

    private void note(String line) throws Exception {
        notes.add(line);
        ClusterBench.write(out, report());
        System.err.println(line);
    }

    private double heapMiB() {
        return await("a metrics scrape", () -> {
            try {
                return Metrics.sum(webhook.metrics(), "jvm_memory_used_bytes", "area=\"heap\"") / 1024 / 1024;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String report() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("Real control plane (kube-apiserver, kube-controller-manager, etcd on loopback; no kubelet), StatefulSets with a "
                        + "Bitnami-sized template (~7 KB) in ").append(NAMESPACES).append(" opted-in namespaces, ").append(podsPerSet)
                .append(" Pending pods and claims each, created by the StatefulSet controller and admitted by the webhook; ")
                .append("the packaged jar with the image's JVM flags (`").append(String.join(" ", ImageJvm.flags())).append("`), ")
                .append("coverage every 30 s").append(options.stream().filter(o -> o.startsWith("-Dfirst-ordinal.") && !o.contains("coverage."))
                        .map(o -> ", `" + o + "`").reduce("", String::concat)).append(". Heap after GC: right after `jcmd GC.run`. 1-minute load average at this writing: ")
                .append(ClusterBench.loadAverage()).append(" (2 cores, shared).\n\n")
                .append("| moment | RSS MiB | peak RSS MiB | heap used MiB | heap after GC MiB | coverage run |\n| --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> md.append(r).append('\n'));
        md.append('\n');
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        return md.toString();
    }

    private static long kib(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The last coverage summary line of the log: its counts and duration. */
    private String lastCoverage() throws Exception {
        Matcher m = Pattern.compile("coverage: (\\d+ StatefulSets? in [^\\n]*?\\(read in \\d+ ms\\))").matcher(webhook.log());
        String last = "";
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }
}
