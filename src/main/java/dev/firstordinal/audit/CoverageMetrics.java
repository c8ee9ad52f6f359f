package dev.firstordinal.audit;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.cluster.NoCluster;
import dev.firstordinal.cluster.Relists;
import dev.firstordinal.cluster.StatefulSetCache;
import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Server mode: the audit's coverage, computed every {@code first-ordinal.coverage.interval}
 * (default 5 minutes) and exported on the management port's {@code /q/metrics}:
 * <ul>
 *   <li>{@value #STATEFULSETS}{@code {namespace,state="covered|uncovered|overcovered|skipped"}}: StatefulSets per state,
 *       every state present (0 when none), so {@code first_ordinal_statefulsets{state="uncovered"} > 0} can alert;</li>
 *   <li>{@value #LAST_SUCCESS}: Unix time of the last complete run (alert when it is stale);</li>
 *   <li>{@value #FAILURES}{@code _total}: runs that could not read the cluster;</li>
 *   <li>{@value #PASSES}{@code {namespace}}: passes over the namespace's pods the last run made (1 unless the
 *       namespace has more than {@value ClusterReader#SETS_PER_PASS} StatefulSets).</li>
 * </ul>
 * A run holds one batch of at most {@value ClusterReader#SETS_PER_PASS} StatefulSets' essentials and pods at a
 * time (see {@link ClusterReader}); in the webhook the StatefulSets come from its informer cache.
 * Audited namespaces: {@code first-ordinal.namespaces} when set, else every namespace with the
 * {@code first-ordinal.namespace-label}.
 */
@Singleton
public class CoverageMetrics {

    public static final String STATEFULSETS = "first_ordinal_statefulsets";
    public static final String LAST_SUCCESS = "first_ordinal_coverage_last_success_timestamp_seconds";
    public static final String FAILURES = "first_ordinal_coverage_failures";
    public static final String PASSES = "first_ordinal_coverage_pod_list_passes";
    private static final int LOGGED_PROBLEMS = 20;
    /** How long one run waits, in all, for informers that list (after that it reads anyway: a watch that cannot start must not stop coverage). */
    static final Duration RELIST_WAIT = Duration.ofMinutes(2);
    private static final Duration RELIST_POLL = Duration.ofMillis(500);
    private static final Logger LOG = Logger.getLogger(CoverageMetrics.class);

    private final FirstOrdinalConfig config;
    private final List<String> namespaces;
    private final Supplier<KubernetesClient> client;
    private final FirstOrdinalRule rule;
    private final MultiGauge statefulSets;
    private final AtomicLong lastSuccess = new AtomicLong();
    private final Counter failures;
    private ScheduledExecutorService scheduler;
    private final MultiGauge podListPasses;
    private final Supplier<Function<String, Optional<List<StatefulSet>>>> cachedSets;
    /** The sets that had a problem in the last run (only those: the others need no memory to log a change). */
    private Map<String, CoverageState> previousProblems = Map.of();
    private Map<String, Integer> previousPasses = Map.of();

    @Inject
    CoverageMetrics(FirstOrdinalConfig config, Instance<KubernetesClient> client, Instance<StartOrdinalLookup> startOrdinals,
                    FirstOrdinalRule rule, MeterRegistry registry) {
        this(config, config.namespaces().orElse(List.of()), client::get,
                () -> startOrdinals.get() instanceof StatefulSetCache cache ? cache::cached : namespace -> Optional.empty(), rule, registry);
    }

    /** Without a StatefulSet cache: every run lists the StatefulSets. */
    CoverageMetrics(FirstOrdinalConfig config, List<String> namespaces, Supplier<KubernetesClient> client, FirstOrdinalRule rule,
                    MeterRegistry registry) {
        this(config, namespaces, client, () -> namespace -> Optional.empty(), rule, registry);
    }

    /**
     * @param namespaces the namespaces to audit; empty: every namespace with the opt-in label
     * @param cachedSets where a namespace's StatefulSets are read when cached (the webhook's informer)
     */
    CoverageMetrics(FirstOrdinalConfig config, List<String> namespaces, Supplier<KubernetesClient> client,
                    Supplier<Function<String, Optional<List<StatefulSet>>>> cachedSets, FirstOrdinalRule rule, MeterRegistry registry) {
        this.config = config;
        this.cachedSets = cachedSets;
        this.namespaces = List.copyOf(namespaces);
        this.client = client;
        this.rule = rule;
        this.statefulSets = MultiGauge.builder(STATEFULSETS)
                .description("StatefulSets of the audited namespaces by coverage state")
                .register(registry);
        Gauge.builder(LAST_SUCCESS, lastSuccess, AtomicLong::get)
                .description("Unix time of the last coverage run that read the whole cluster")
                .register(registry);
        this.podListPasses = MultiGauge.builder(PASSES)
                .description("Passes over a namespace's pods the last coverage run made: 1, or more for a namespace with more than "
                        + ClusterReader.SETS_PER_PASS + " StatefulSets, read that many at a time to bound memory")
                .register(registry);
        this.failures = Counter.builder(FAILURES)
                .description("Coverage runs that failed to read the cluster")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!config.coverage().enabled()) {
            if (NoCluster.alreadySaid()) {
                return;
            }
            LOG.info("coverage metrics disabled (first-ordinal.coverage.enabled=false)");
            return;
        }
        NamespaceLabel label = namespaceLabel();
        long interval = config.coverage().interval().toMillis();
        if (interval < 1000) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.coverage.interval must be at least 1s, not "
                    + config.coverage().interval());
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "first-ordinal-coverage");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> runSafely(label), config.coverage().initialDelay().toMillis(), interval, TimeUnit.MILLISECONDS);
        LOG.infof("coverage metrics: every %s from %s after start, namespaces %s", config.coverage().interval(), config.coverage().initialDelay(),
                namespaces.isEmpty() ? "labelled " + label : String.join(",", namespaces));
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** One run; never throws (a scheduled task that throws is never run again). */
    void runSafely(NamespaceLabel label) {
        try {
            run(label);
        } catch (RuntimeException e) {
            failures.increment();
            LOG.warnf("coverage run failed, metrics keep their last values: %s", e.getMessage() == null ? e : e.getMessage().replaceAll("\\s+", " "));
        }
    }

    /**
     * Waits, at most {@code budgetMillis}, while one of the process's informers lists ({@link Relists}): a coverage
     * run reading pods beside the relists after an API-server restart is what ran the heap out (issue #31).
     *
     * @return the milliseconds waited
     */
    private long waitWhileInformersList(long budgetMillis) {
        long began = System.nanoTime();
        long listing = Relists.listing();
        if (listing == 0 || budgetMillis <= 0) {
            return 0;
        }
        LOG.infof("coverage: %d informers are listing (a start or an API-server restart); the run waits for them, at most %ds",
                listing, budgetMillis / 1000);
        try {
            while (Relists.listing() > 0 && (System.nanoTime() - began) / 1_000_000 < budgetMillis) {
                Thread.sleep(RELIST_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("coverage run interrupted", e);
        }
        return (System.nanoTime() - began) / 1_000_000;
    }

    /**
     * One run, namespace by namespace: only one batch of StatefulSets (see {@link ClusterReader}) and
     * their pods are held at a time; of each set only its state is kept until the gauges are set, and
     * past runs are remembered only for the sets that had a problem.
     *
     * @return how many StatefulSets are in each state, over every audited namespace
     */
    Map<CoverageState, Integer> run(NamespaceLabel label) {
        long began = System.nanoTime();
        ClusterReader reader = new ClusterReader(client.get(), cachedSets.get(), new SharedValues(rule.policy()));
        List<String> namespaces = this.namespaces.isEmpty() ? reader.optedInNamespaces(label) : this.namespaces;
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        List<MultiGauge.Row<?>> passRows = new ArrayList<>();
        Map<CoverageState, Integer> total = CoverageReport.zeroCounts();
        Map<String, CoverageState> problems = new HashMap<>();
        ProblemLog problemLog = new ProblemLog();
        Map<String, Integer> passesNow = new HashMap<>();
        long waitedForRelists = 0;
        for (String namespace : namespaces) {
            waitedForRelists += waitWhileInformersList(RELIST_WAIT.toMillis() - waitedForRelists);
            Map<CoverageState, Integer> counts = CoverageReport.zeroCounts();
            int passes = reader.read(namespace, batch -> {
                for (ShardSnapshot snapshot : batch) {
                    ShardCoverage coverage = CoverageCheck.of(snapshot, rule);
                    counts.merge(coverage.state(), 1, Integer::sum);
                    problemLog.log(coverage, problems);
                }
            });
            counts.forEach((state, count) -> {
                rows.add(MultiGauge.Row.of(Tags.of("namespace", namespace, "state", state.label()), count));
                total.merge(state, count, Integer::sum);
            });
            passRows.add(MultiGauge.Row.of(Tags.of("namespace", namespace), passes));
            passesNow.put(namespace, passes);
            if (passes > 1 && !Integer.valueOf(passes).equals(previousPasses.get(namespace))) {
                LOG.warnf("coverage: namespace %s has more than %d StatefulSets: its pods are listed %d times per run, %d sets at "
                        + "a time, so that a run's memory stays bounded (%s)", namespace, ClusterReader.SETS_PER_PASS, passes,
                        ClusterReader.SETS_PER_PASS, PASSES);
            }
        }
        statefulSets.register(rows, true);
        podListPasses.register(passRows, true);
        lastSuccess.set(System.currentTimeMillis() / 1000);
        LOG.infof("coverage: %s (read in %d ms)", CoverageReport.summary(total, namespaces), (System.nanoTime() - began) / 1_000_000);
        problemLog.finish();
        previousProblems = problems;
        previousPasses = passesNow;
        return total;
    }

    /** A shard's problems only when its state changed, so that a 5-minute loop does not flood the log; at most {@value #LOGGED_PROBLEMS} lines. */
    private final class ProblemLog {
        private int logged;
        private int unlogged;

        void log(ShardCoverage s, Map<String, CoverageState> problems) {
            String key = s.namespace() + "/" + s.statefulSet();
            CoverageState before = previousProblems.get(key);
            if (s.state().isProblem()) {
                problems.put(key, s.state());
            }
            if (before == s.state()) {
                return;
            }
            if (s.state().isProblem()) {
                if (logged++ < LOGGED_PROBLEMS) {
                    LOG.warnf("coverage: %s is %s: %s", key, s.state().label(), String.join("; ", s.problems()));
                } else {
                    unlogged++;
                }
            } else if (before != null) {
                LOG.infof("coverage: %s is %s now", key, s.state().label());
            }
        }

        void finish() {
            if (unlogged > 0) {
                LOG.warnf("coverage: %d more StatefulSets became uncovered or overcovered (the audit command lists them all)", unlogged);
            }
        }
    }

    private NamespaceLabel namespaceLabel() {
        try {
            return NamespaceLabel.parse(config.namespaceLabel());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.namespace-label: " + e.getMessage(), e);
        }
    }

}
