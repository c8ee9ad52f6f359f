package dev.firstordinal.e2e;

import dev.firstordinal.testing.ImageJvm;
import dev.firstordinal.testing.JarProcess;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue #31's scale run on a real control plane (bench/scale.sh runs it; not a test): SETS StatefulSets
 * (1.5 KB templates) with PODS_PER_SET Pending pods each, created by the StatefulSet controller (no
 * kubelet), over ten opted-in namespaces; the packaged jar runs with the image's JVM flags. Reports RSS
 * and heap after start, after the fleet exists, after each of three coverage runs and after a relist
 * forced by an API-server restart, each coverage run's duration, and {@code audit} over all of it
 * (time, peak RSS). Bounded: every wait has a deadline.
 */
public final class ScaleBench {

    private static final int NAMESPACES = 10;
    private static final String LAST_SUCCESS = "first_ordinal_coverage_last_success_timestamp_seconds";
    private static final String ENTRIES = "first_ordinal_statefulset_cache_entries";

    private ScaleBench() {
    }

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int sets = Integer.parseInt(args[0]);
        int podsPerSet = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        if (sets < 10 || sets > 100_000 || podsPerSet < 0 || podsPerSet > 5) {
            throw new IllegalArgumentException("sets 10..100000, pods per set 0..5");
        }
        ControlPlane cluster = ControlPlane.start("scale-bench");
        ClusterWebhook webhook = ClusterWebhook.install(cluster);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                webhook.close();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        KubernetesClient client = cluster.admin();
        for (int n = 0; n < NAMESPACES; n++) {
            ClusterWorkloads.namespace(client, "fleet-" + n, ClusterWorkloads.OPTED_IN);
        }
        List<String> options = new ArrayList<>(ImageJvm.flags());
        options.addAll(List.of("-Dfirst-ordinal.coverage.initial-delay=5s", "-Dfirst-ordinal.coverage.interval=20s"));
        webhook.restartWith(options.toArray(new String[0]));
        List<String> rows = new ArrayList<>();
        rows.add(row("started (empty cluster)", webhook, ""));

        long began = System.nanoTime();
        List<StatefulSet> fleet = new ArrayList<>();
        for (int i = 0; i < sets; i++) {
            StatefulSet set = ClusterWorkloads.fleetShard("fleet-" + (i % NAMESPACES), "shard-" + i);
            set.getSpec().setReplicas(podsPerSet);
            fleet.add(set);
        }
        ClusterWorkloads.createAll(client, fleet);
        long setsCreated = seconds(began);
        int pods = sets * podsPerSet;
        Waits.until(Duration.ofMinutes(60), "the StatefulSet controller to create " + pods + " pods", () -> count(client) >= pods);
        Waits.until(Duration.ofMinutes(5), "the webhook's cache to hold every set", () -> metric(webhook, ENTRIES) >= sets);
        rows.add(row("fleet created (" + setsCreated + " s for the sets, " + seconds(began) + " s with the pods)", webhook, ""));

        for (int run = 1; run <= 3; run++) {
            double before = metric(webhook, LAST_SUCCESS);
            Waits.until(Duration.ofMinutes(10), "coverage run", () -> metric(webhook, LAST_SUCCESS) > before);
            rows.add(row("after coverage run " + run, webhook, lastCoverage(webhook.log())));
        }
        cluster.restartApiServer();
        double before = metric(webhook, LAST_SUCCESS);
        Waits.until(Duration.ofMinutes(10), "a coverage run after the relist", () -> metric(webhook, LAST_SUCCESS) > before);
        rows.add(row("API server restarted: relist and a coverage run", webhook, lastCoverage(webhook.log())));
        if (!webhook.process().isAlive() || webhook.log().contains("OutOfMemoryError")) {
            throw new IllegalStateException("the webhook died:\n" + webhook.log());
        }

        List<String> audit = new ArrayList<>(List.of("/usr/bin/time", "-f", "audit: %e s, peak RSS %M KiB",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        audit.addAll(ImageJvm.flags());
        audit.addAll(List.of("-jar", JarProcess.JAR.toString(), "audit"));
        Command result = Command.run(audit, java.util.Map.of("KUBECONFIG", cluster.kubeconfig().toString()), null, 1800);
        String summary = result.stdout().lines().filter(l -> l.contains("StatefulSets in")).reduce((a, b) -> b).orElse("(no summary)");
        String timing = result.stderr().lines().filter(l -> l.startsWith("audit:")).reduce((a, b) -> b).orElse("(no timing)");

        StringBuilder md = new StringBuilder();
        md.append("Real control plane (kube-apiserver, kube-controller-manager, etcd on loopback), ").append(sets)
                .append(" StatefulSets (pod template ~1.5 KB) in ").append(NAMESPACES).append(" opted-in namespaces, ")
                .append(pods).append(" Pending pods created by the StatefulSet controller and admitted by the webhook; ")
                .append("the packaged jar with the image's JVM flags (`").append(String.join(" ", ImageJvm.flags())).append("`), ")
                .append("coverage every 20 s.\n\n")
                .append("| moment | RSS MiB | peak RSS MiB | heap used MiB | coverage run |\n| --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> md.append(r).append('\n'));
        md.append("\n`audit` (exit ").append(result.exitCode()).append(", image flags): ").append(timing.substring("audit: ".length()))
                .append("; ").append(summary.strip()).append(".\n");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.print(md);
    }

    private static long seconds(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toSeconds();
    }

    /** Pods in the cluster, counted from a paged metadata-only list. */
    private static long count(KubernetesClient client) {
        long count = 0;
        String next = null;
        do {
            var page = client.pods().inAnyNamespace().listAsPartialObjectMetadata(new ListOptionsBuilder().withLimit(500L).withContinue(next).build());
            count += page.getItems() == null ? 0 : page.getItems().size();
            next = page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        return count;
    }

    private static double metric(ClusterWebhook webhook, String name) {
        return webhook.metric(name, "");
    }

    private static String row(String moment, ClusterWebhook webhook, String coverage) throws Exception {
        long pid = webhook.process().pid();
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        double heap = Metrics.sum(webhook.metrics(), "jvm_memory_used_bytes", "area=\"heap\"") / 1024 / 1024;
        return String.format("| %s | %d | %d | %.1f | %s |", moment, kib(status, "VmRSS") / 1024, kib(status, "VmHWM") / 1024, heap, coverage);
    }

    private static long kib(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The last coverage summary line of the log: its counts and duration. */
    private static String lastCoverage(String log) {
        Matcher m = Pattern.compile("coverage: (\\d+ StatefulSets? in [^\\n]*?\\(read in \\d+ ms\\))").matcher(log);
        String last = "";
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }
}
