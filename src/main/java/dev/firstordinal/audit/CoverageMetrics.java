package dev.firstordinal.audit;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.FirstOrdinalRule;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Server mode: the audit's coverage, computed every {@code first-ordinal.coverage.interval}
 * (default 5 minutes) and exported on the management port's {@code /q/metrics}:
 * <ul>
 *   <li>{@value #STATEFULSETS}{@code {namespace,state="covered|uncovered|overcovered|skipped"}}: StatefulSets per state,
 *       every state present (0 when none), so {@code first_ordinal_statefulsets{state="uncovered"} > 0} can alert;</li>
 *   <li>{@value #LAST_SUCCESS}: Unix time of the last complete run (alert when it is stale);</li>
 *   <li>{@value #FAILURES}{@code _total}: runs that could not read the cluster.</li>
 * </ul>
 * Audited namespaces: {@code first-ordinal.namespaces} when set, else every namespace with the
 * {@code first-ordinal.namespace-label}.
 */
@Singleton
public class CoverageMetrics {

    public static final String STATEFULSETS = "first_ordinal_statefulsets";
    public static final String LAST_SUCCESS = "first_ordinal_coverage_last_success_timestamp_seconds";
    public static final String FAILURES = "first_ordinal_coverage_failures";
    private static final int LOGGED_PROBLEMS = 20;
    private static final Logger LOG = Logger.getLogger(CoverageMetrics.class);

    private final FirstOrdinalConfig config;
    private final List<String> namespaces;
    private final Supplier<KubernetesClient> client;
    private final FirstOrdinalRule rule;
    private final MultiGauge statefulSets;
    private final AtomicLong lastSuccess = new AtomicLong();
    private final Counter failures;
    private ScheduledExecutorService scheduler;
    private Map<String, CoverageState> previousStates = Map.of();

    @Inject
    CoverageMetrics(FirstOrdinalConfig config, Instance<KubernetesClient> client, FirstOrdinalRule rule, MeterRegistry registry) {
        this(config, config.namespaces().orElse(List.of()), client::get, rule, registry);
    }

    /** @param namespaces the namespaces to audit; empty: every namespace with the opt-in label */
    CoverageMetrics(FirstOrdinalConfig config, List<String> namespaces, Supplier<KubernetesClient> client, FirstOrdinalRule rule,
                    MeterRegistry registry) {
        this.config = config;
        this.namespaces = List.copyOf(namespaces);
        this.client = client;
        this.rule = rule;
        this.statefulSets = MultiGauge.builder(STATEFULSETS)
                .description("StatefulSets of the audited namespaces by coverage state")
                .register(registry);
        Gauge.builder(LAST_SUCCESS, lastSuccess, AtomicLong::get)
                .description("Unix time of the last coverage run that read the whole cluster")
                .register(registry);
        this.failures = Counter.builder(FAILURES)
                .description("Coverage runs that failed to read the cluster")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!config.coverage().enabled()) {
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

    CoverageReport run(NamespaceLabel label) {
        ClusterReader reader = new ClusterReader(client.get());
        List<String> namespaces = this.namespaces.isEmpty() ? reader.optedInNamespaces(label) : this.namespaces;
        CoverageReport report = CoverageReport.of(namespaces, reader.snapshots(namespaces), rule);
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (String namespace : namespaces) {
            for (CoverageState state : CoverageState.values()) {
                long count = report.statefulSets().stream().filter(s -> s.namespace().equals(namespace) && s.state() == state).count();
                rows.add(MultiGauge.Row.of(Tags.of("namespace", namespace, "state", state.label()), count));
            }
        }
        statefulSets.register(rows, true);
        lastSuccess.set(System.currentTimeMillis() / 1000);
        log(report);
        return report;
    }

    /** The summary every run; a shard's problems only when its state changed, so that a 5-minute loop does not flood the log. */
    private void log(CoverageReport report) {
        LOG.info("coverage: " + report.summary());
        Map<String, CoverageState> now = new HashMap<>();
        int logged = 0;
        int unlogged = 0;
        for (ShardCoverage s : report.statefulSets()) {
            String key = s.namespace() + "/" + s.statefulSet();
            now.put(key, s.state());
            CoverageState before = previousStates.get(key);
            if (before == s.state()) {
                continue;
            }
            if (s.state().isProblem()) {
                if (logged++ < LOGGED_PROBLEMS) {
                    LOG.warnf("coverage: %s is %s: %s", key, s.state().label(), String.join("; ", s.problems()));
                } else {
                    unlogged++;
                }
            } else if (before != null && before.isProblem()) {
                LOG.infof("coverage: %s is %s now", key, s.state().label());
            }
        }
        if (unlogged > 0) {
            LOG.warnf("coverage: %d more StatefulSets became uncovered or overcovered (the audit command lists them all)", unlogged);
        }
        previousStates = now;
    }

    private NamespaceLabel namespaceLabel() {
        try {
            return NamespaceLabel.parse(config.namespaceLabel());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.namespace-label: " + e.getMessage(), e);
        }
    }

}
