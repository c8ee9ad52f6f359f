package dev.firstordinal.audit;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's periodic coverage, one run at a time, against fabric8's mock API server. */
@EnableKubernetesMockClient(crud = true)
class CoverageMetricsTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final NamespaceLabel label = NamespaceLabel.parse(NamespaceLabel.DEFAULT);

    @Test
    void countsStatefulSetsPerNamespaceAndStateForEveryOptedInNamespace() {
        Workloads.createNamespace(client, "metrics-a", Shards.OPTED_IN);
        Workloads.createNamespace(client, "metrics-b", Shards.OPTED_IN);
        Workloads.createNamespace(client, "metrics-off", java.util.Map.of());
        Shards.coveredUncoveredOvercovered(client, "metrics-a");
        Shards.coveredUncoveredOvercovered(client, "metrics-off");

        new CoverageMetrics(null, List.of(), () -> client, Shards.RULE, registry).run(label);

        assertThat(gauge("metrics-a", "covered")).isEqualTo(1.0);
        assertThat(gauge("metrics-a", "uncovered")).isEqualTo(1.0);
        assertThat(gauge("metrics-a", "overcovered")).isEqualTo(1.0);
        assertThat(gauge("metrics-a", "skipped")).isZero();
        assertThat(gauge("metrics-b", "covered")).as("an opted-in namespace without StatefulSets").isZero();
        assertThat(registry.find(CoverageMetrics.STATEFULSETS).tag("namespace", "metrics-off").gauges()).isEmpty();
        assertThat(registry.get(CoverageMetrics.LAST_SUCCESS).gauge().value()).isPositive();
    }

    @Test
    void countsAShardWhoseHookIsAnOlderReleasesAsStale() {
        Workloads.createNamespace(client, "metrics-stale", Shards.OPTED_IN);
        io.fabric8.kubernetes.api.model.apps.StatefulSet set = Workloads.redis("metrics-stale", "cache", 1, null);
        Shards.create(client, set, new io.fabric8.kubernetes.api.model.PodBuilder(Workloads.pod(set, 0)).editMetadata()
                .addToLabels("velero-backup-schedule", "redis").addToAnnotations(dev.firstordinal.testing.OlderHook.annotations())
                .endMetadata().build());

        new CoverageMetrics(null, List.of(), () -> client, Shards.RULE, registry).run(label);

        assertThat(gauge("metrics-stale", "stale")).isEqualTo(1.0);
        assertThat(gauge("metrics-stale", "covered")).isZero();
    }

    @Test
    void aRunReadsTheClusterOnlyOnceNoInformerOfTheProcessIsListing() {
        Workloads.createNamespace(client, "metrics-relist", Shards.OPTED_IN);
        Shards.coveredUncoveredOvercovered(client, "metrics-relist");
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        int listingFor = 3; // looks at the informer before its relist ends
        io.fabric8.kubernetes.client.informers.SharedIndexInformer<?> relisting = informer(true, () -> looks.incrementAndGet() > listingFor);
        dev.firstordinal.cluster.Relists.add(relisting);
        try {
            new CoverageMetrics(null, List.of("metrics-relist"), () -> client, Shards.RULE, registry).run(label);
        } finally {
            dev.firstordinal.cluster.Relists.remove(relisting);
        }

        assertThat(looks.get()).as("the run looked until the informer watched again").isGreaterThan(listingFor);
        assertThat(gauge("metrics-relist", "covered")).isEqualTo(1.0);
    }

    /** An informer that is running, or not, and watching when {@code watching} says so. */
    @SuppressWarnings("unchecked")
    private static io.fabric8.kubernetes.client.informers.SharedIndexInformer<?> informer(boolean running,
                                                                                          java.util.function.BooleanSupplier watching) {
        return (io.fabric8.kubernetes.client.informers.SharedIndexInformer<?>) java.lang.reflect.Proxy.newProxyInstance(
                CoverageMetricsTest.class.getClassLoader(), new Class<?>[]{io.fabric8.kubernetes.client.informers.SharedIndexInformer.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isRunning" -> running;
                    case "isWatching" -> watching.getAsBoolean();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void dropsTheRowsOfANamespaceThatOptedOut() {
        Workloads.createNamespace(client, "leaving", Shards.OPTED_IN);
        Shards.coveredUncoveredOvercovered(client, "leaving");
        CoverageMetrics metrics = new CoverageMetrics(null, List.of(), () -> client, Shards.RULE, registry);
        metrics.run(label);
        assertThat(gauge("leaving", "covered")).isEqualTo(1.0);

        client.namespaces().withName("leaving").edit(ns -> new NamespaceBuilder(ns).editMetadata().removeFromLabels("first-ordinal.dev/backup").endMetadata().build());
        metrics.run(label);

        assertThat(registry.find(CoverageMetrics.STATEFULSETS).tag("namespace", "leaving").gauges()).isEmpty();
    }

    @Test
    void keepsTheLastValuesAndCountsAFailureWhenTheClusterCannotBeRead() {
        Workloads.createNamespace(client, "flaky", Shards.OPTED_IN);
        Shards.coveredUncoveredOvercovered(client, "flaky");
        KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build();
        AtomicReference<KubernetesClient> current = new AtomicReference<>(client);
        CoverageMetrics metrics = new CoverageMetrics(null, List.of("flaky"), current::get, Shards.RULE, registry);
        metrics.runSafely(label);
        double lastSuccess = registry.get(CoverageMetrics.LAST_SUCCESS).gauge().value();

        current.set(unreachable);
        metrics.runSafely(label);

        assertThat(registry.get(CoverageMetrics.FAILURES).counter().count()).isEqualTo(1.0);
        assertThat(gauge("flaky", "uncovered")).isEqualTo(1.0);
        assertThat(registry.get(CoverageMetrics.LAST_SUCCESS).gauge().value()).isEqualTo(lastSuccess);
        unreachable.close();
    }

    @Test
    void readsTheStatefulSetsFromTheWebhooksCacheAndExportsThePassesPerNamespace() {
        Workloads.createNamespace(client, "cached", Shards.OPTED_IN);
        io.fabric8.kubernetes.api.model.apps.StatefulSet onlyCached = Workloads.redis("cached", "in-cache", 1, null);

        new CoverageMetrics(null, List.of("cached"), () -> client, () -> ns -> java.util.Optional.of(List.of(onlyCached)), Shards.RULE,
                registry).run(label);

        assertThat(gauge("cached", "uncovered")).as("the cached set, whose pod does not exist").isEqualTo(1.0);
        assertThat(registry.get(CoverageMetrics.PASSES).tag("namespace", "cached").gauge().value()).isEqualTo(1.0);
    }

    private double gauge(String namespace, String state) {
        RequiredSearch search = registry.get(CoverageMetrics.STATEFULSETS).tag("namespace", namespace).tag("state", state);
        return search.gauge().value();
    }
}
