package dev.firstordinal.cluster;

import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal;
import dev.firstordinal.testing.MutableClock;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The informer cache and its GET on a miss, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class StatefulSetCacheTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    /**
     * How long an informer may take to list, watch or see a change. The JVM's first list builds fabric8's StatefulSet
     * deserializers on the client's event loop: on a loaded 2-core machine it once did not sync within 10 s.
     */
    private static final Duration INFORMER_WAIT = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<StatefulSetCache> caches = new ArrayList<>();
    private final FirstOrdinalRule rule = new FirstOrdinalRule(MarkingPolicy.defaults());

    /**
     * The first requests of a JVM pay for class loading and the TLS handshake, well over the
     * deadlines tested here; a webhook's informer list warms the same path before any lookup.
     */
    @BeforeAll
    static void warmUp() {
        server.expect().get().withPath("/apis/apps/v1/namespaces/warm-up/statefulsets/failing")
                .andReturn(500, new StatusBuilder().withCode(500).withMessage("warm-up").build()).always();
        try (StatefulSetCache cache = new StatefulSetCache(client, List.of(), Duration.ofMillis(500), new SimpleMeterRegistry())) {
            for (int i = 0; i < 3; i++) {
                cache.startOrdinal("warm-up", "missing");
                cache.startOrdinal("warm-up", "failing");
            }
        }
    }

    @AfterEach
    void closeCaches() {
        caches.forEach(StatefulSetCache::close);
    }

    @Test
    void marksPodThreeAndNotPodFourWhenStartOrdinalIsThree() {
        StatefulSet set = create(Workloads.redis("start-three", "redis", 3, 3));
        StatefulSetCache cache = synced(List.of());

        Decision three = rule.decide(Workloads.pod(set, 3), "start-three", cache);
        Decision four = rule.decide(Workloads.pod(set, 4), "start-three", cache);

        assertThat(three.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        assertThat(three.labelsToAdd()).containsEntry("velero-backup-schedule", "redis");
        assertThat(three.warnings()).isEmpty();
        assertThat(four.verdict()).isEqualTo(Decision.Verdict.OTHER_ORDINAL);
        assertThat(four.changesPod()).isFalse();
    }

    @Test
    void answersFromTheCacheWithoutAnApiCall() {
        create(Workloads.redis("cached", "redis", 3, 7));
        StatefulSetCache cache = synced(List.of());
        requestsSinceLastCall();

        for (int i = 0; i < 100; i++) {
            assertThat(cache.withoutBlocking("cached", "redis")).contains(StartOrdinal.cached(7, 3));
            assertThat(cache.startOrdinal("cached", "redis")).isEqualTo(StartOrdinal.cached(7, 3));
        }

        assertThat(requestsSinceLastCall()).as("requests for the StatefulSet")
                .noneMatch(r -> r.contains("/namespaces/cached/statefulsets/redis"));
        assertThat(misses("fetched") + misses("not_found") + misses("failed")).isZero();
    }

    @Test
    void readsAStatefulSetMissingFromTheCacheWithOneGet() {
        create(Workloads.redis("miss", "redis", 3, 3));
        StatefulSetCache cache = cache(List.of(), Duration.ofMillis(500)); // informers not started: every lookup misses
        requestsSinceLastCall();

        assertThat(cache.withoutBlocking("miss", "redis")).isEmpty();
        StartOrdinal start = cache.startOrdinal("miss", "redis");

        assertThat(start).isEqualTo(StartOrdinal.of(3));
        assertThat(requestsSinceLastCall()).containsExactly("GET /apis/apps/v1/namespaces/miss/statefulsets/redis");
        assertThat(misses("fetched")).isEqualTo(1);
    }

    @Test
    void fallsBackToZeroWithAWarningWhenTheStatefulSetDoesNotExist() {
        StatefulSetCache cache = synced(List.of());

        StartOrdinal start = cache.startOrdinal("nowhere", "ghost");

        assertThat(start.value()).isZero();
        assertThat(start.warning()).hasValueSatisfying(w -> assertThat(w)
                .contains("StatefulSet nowhere/ghost").contains("not found").contains("assuming its first ordinal is 0"));
        assertThat(misses("not_found")).isEqualTo(1);
    }

    @Test
    void fallsBackToZeroWithAWarningWhenTheGetFails() {
        server.expect().get().withPath("/apis/apps/v1/namespaces/broken/statefulsets/redis")
                .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcdserver: request timed out").build()).always();
        StatefulSetCache cache = cache(List.of(), Duration.ofMillis(500));
        requestsSinceLastCall();

        StartOrdinal start = cache.startOrdinal("broken", "redis");

        assertThat(start.value()).isZero();
        assertThat(start.warning()).hasValueSatisfying(w -> assertThat(w)
                .contains("StatefulSet broken/redis").contains("HTTP 500").contains("etcdserver: request timed out"));
        assertThat(misses("failed")).isEqualTo(1);
        assertThat(requestsSinceLastCall()).as("one GET, no retries")
                .containsExactly("GET /apis/apps/v1/namespaces/broken/statefulsets/redis");
    }

    @Test
    void triesAnUnreachableApiServerOncePerWindowAndWarnsOnce() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = warningsInto(warnings);
        Logger log = Logger.getLogger(StatefulSetCache.class.getName());
        log.addHandler(capture);
        try (HangingUpServer apiServer = new HangingUpServer();
             KubernetesClient unreachable = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestRetryBackoffLimit(0).build()).build();
             StatefulSetCache cache = new StatefulSetCache(unreachable, List.of(), Duration.ofMillis(500), registry, clock)) {

            List<StartOrdinal> inWindow = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                inWindow.add(cache.startOrdinal("ns-" + i, "redis")); // other sets too: the window is global
                clock.advance(Duration.ofSeconds(1));
            }

            assertThat(apiServer.connections()).as("attempts in the 30s window").isEqualTo(1);
            assertThat(warnings).as("warnings logged in the window").hasSize(1);
            assertThat(warnings.get(0)).contains("StatefulSet ns-0/redis").contains("not read again for 30s")
                    .contains("as if its set started at 0");
            assertThat(inWindow).allSatisfy(start -> {
                assertThat(start.value()).isZero();
                assertThat(start.warning()).hasValueSatisfying(w -> assertThat(w).contains("assuming its first ordinal is 0"));
            });
            assertThat(misses("failed")).isEqualTo(20);

            clock.advance(Duration.ofSeconds(11)); // 31s after the failed attempt
            assertThat(cache.startOrdinal("ns-0", "redis").value()).isZero();

            assertThat(apiServer.connections()).as("attempts once the window has passed").isEqualTo(2);
            assertThat(warnings).as("warnings logged").hasSize(2);
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void givesUpOnASlowApiServerWithinTheDeadline() {
        StatefulSet set = Workloads.redis("slow", "redis", 3, 3);
        server.expect().get().delay(3, TimeUnit.SECONDS).withPath("/apis/apps/v1/namespaces/slow/statefulsets/redis")
                .andReturn(200, set).always();
        StatefulSetCache cache = cache(List.of(), Duration.ofMillis(200));

        long begin = System.nanoTime();
        StartOrdinal start = cache.startOrdinal("slow", "redis");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertThat(start.value()).isZero();
        assertThat(start.warning()).hasValueSatisfying(w -> assertThat(w).contains("took longer than 200ms"));
        assertThat(tookMillis).as("lookup time in ms").isBetween(190L, 450L);
        assertThat(misses("failed")).isEqualTo(1);
    }

    @Test
    void followsChangesAndDeletionsOfStatefulSets() {
        create(Workloads.redis("changes", "redis", 3, null));
        StatefulSetCache cache = synced(List.of());
        assertThat(cache.withoutBlocking("changes", "redis")).contains(StartOrdinal.cached(0, 3));

        client.apps().statefulSets().inNamespace("changes").withName("redis")
                .edit(s -> new StatefulSetBuilder(s).editSpec().withNewOrdinals().withStart(5).endOrdinals().endSpec().build());
        await(() -> cache.withoutBlocking("changes", "redis").equals(java.util.Optional.of(StartOrdinal.cached(5, 3))));

        client.apps().statefulSets().inNamespace("changes").withName("redis").delete();
        await(() -> cache.withoutBlocking("changes", "redis").isEmpty());
    }

    @Test
    void watchesOnlyTheConfiguredNamespaces() {
        create(Workloads.redis("watched", "redis", 3, 2));
        create(Workloads.redis("unwatched", "redis", 3, 4));
        StatefulSetCache cache = synced(List.of("watched"));

        assertThat(cache.withoutBlocking("watched", "redis")).contains(StartOrdinal.cached(2, 3));
        assertThat(cache.withoutBlocking("unwatched", "redis")).isEmpty();
        assertThat(cache.startOrdinal("unwatched", "redis")).as("a miss still GETs").isEqualTo(StartOrdinal.of(4));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void readsAStaleSetAgainWithOneGet() {
        create(Workloads.redis("stale", "mv", 2, null));
        StatefulSetCache cache = synced(List.of());
        StartOrdinal cached = cache.startOrdinal("stale", "mv");
        assertThat(cached).isEqualTo(StartOrdinal.cached(0, 2));
        client.apps().statefulSets().inNamespace("stale").withName("mv").edit(s -> {
            s.getSpec().setOrdinals(new io.fabric8.kubernetes.api.model.apps.StatefulSetOrdinals(5));
            return s;
        });
        requestsSinceLastCall();

        assertThat(cached.ruledOut(5)).as("pod 5 against the cached range").isTrue();
        StartOrdinal fresh = cache.reread("stale", "mv", cached);

        assertThat(fresh).isEqualTo(StartOrdinal.of(5));
        assertThat(requestsSinceLastCall()).containsExactly("GET /apis/apps/v1/namespaces/stale/statefulsets/mv");
        assertThat(registry.get(StatefulSetCache.STALE_METRIC).counter().count()).isEqualTo(1);
        assertThat(misses("fetched")).isEqualTo(1);
    }

    @Test
    void keepsTheCachedStartWithAWarningWhenAStaleSetCannotBeRead() {
        server.expect().get().withPath("/apis/apps/v1/namespaces/stale-broken/statefulsets/mv")
                .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcdserver: request timed out").build()).always();
        StatefulSetCache cache = cache(List.of(), Duration.ofMillis(500));

        StartOrdinal start = cache.reread("stale-broken", "mv", StartOrdinal.cached(3, 2));

        assertThat(start.value()).isEqualTo(3);
        assertThat(start.warning()).hasValueSatisfying(w -> assertThat(w)
                .contains("StatefulSet stale-broken/mv is stale in the cache (start 3, 2 replicas").contains("HTTP 500")
                .contains("assuming its first ordinal is still 3"));
        assertThat(misses("failed")).isEqualTo(1);
    }

    @Test
    void keepsOnlyTheEssentialsOfEachStatefulSet() {
        StatefulSet slim = SlimStatefulSetStore.slim(new StatefulSetBuilder(Workloads.redis("slim", "redis", 3, 3))
                .editMetadata().withUid("u-1").withResourceVersion("42").endMetadata()
                .editSpec().editFirstVolumeClaimTemplate().withNewSpec().withAccessModes("ReadWriteOnce").endSpec()
                .endVolumeClaimTemplate().endSpec().build());

        assertThat(slim.getMetadata().getName()).isEqualTo("redis");
        assertThat(slim.getMetadata().getNamespace()).isEqualTo("slim");
        assertThat(slim.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(slim.getSpec().getOrdinals().getStart()).isEqualTo(3);
        assertThat(slim.getSpec().getReplicas()).isEqualTo(3);
        assertThat(slim.getSpec().getTemplate()).as("no skip annotation: no template at all").isNull();
        assertThat(slim.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("data"))
                .satisfies(claim -> assertThat(claim.getSpec()).isNull());
    }

    @Test
    void exportsTheNumberOfCachedStatefulSets() {
        create(Workloads.redis("gauge", "a", 1, null));
        create(Workloads.redis("gauge", "b", 1, null));
        synced(List.of("gauge"));

        assertThat(registry.get(StatefulSetCache.ENTRIES_METRIC).gauge().value()).isEqualTo(2.0);
    }

    @Test
    void rejectsAGetTimeoutAboveHalfASecond() {
        assertThatThrownBy(() -> new StatefulSetCache(client, List.of(), Duration.ofSeconds(2), registry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1ms and 500ms");
    }

    private StatefulSet create(StatefulSet set) {
        return client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace()).resource(set).create();
    }

    private StatefulSetCache cache(List<String> namespaces, Duration timeout) {
        StatefulSetCache cache = new StatefulSetCache(client, namespaces, timeout, registry);
        caches.add(cache);
        return cache;
    }

    /**
     * A started cache that has listed and opened its watches. fabric8 reports it synced after the list, before it
     * sends the watch request: waiting for that request too keeps it out of what a test then counts.
     */
    private StatefulSetCache synced(List<String> namespaces) {
        requestsSinceLastCall(); // an earlier test's watch request must not count for this cache's
        StatefulSetCache cache = cache(namespaces, Duration.ofMillis(500)).start();
        await(cache::hasSynced);
        awaitWatchRequests(namespaces.isEmpty() ? 1 : namespaces.size());
        return cache;
    }

    /** Takes the mock API server's requests until {@code count} StatefulSet watches have been asked for. */
    private static void awaitWatchRequests(int count) {
        int watches = 0;
        long deadline = System.nanoTime() + INFORMER_WAIT.toNanos();
        try {
            while (watches < count) {
                RecordedRequest r = server.takeRequest(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r == null) {
                    throw new AssertionError("the cache asked for " + watches + " of its " + count + " watches within " + INFORMER_WAIT);
                }
                if (r.getPath().contains("/statefulsets?") && r.getPath().contains("watch=true")) {
                    watches++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The requests the mock API server received since the last call, as {@code METHOD path}. */
    private static List<String> requestsSinceLastCall() {
        List<String> requests = new ArrayList<>();
        try {
            for (RecordedRequest r = server.takeRequest(50, TimeUnit.MILLISECONDS); r != null; r = server.takeRequest(50, TimeUnit.MILLISECONDS)) {
                requests.add(r.getMethod() + " " + r.getPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return requests;
    }

    private double misses(String result) {
        return registry.get(StatefulSetCache.MISSES_METRIC).tag("result", result).counter().count();
    }

    private static Handler warningsInto(List<String> warnings) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getParameters() == null || record.getParameters().length == 0
                            ? record.getMessage() : String.format(record.getMessage(), record.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    /** A TCP server that accepts each connection and closes it at once: an API server that never answers. */
    private static final class HangingUpServer implements AutoCloseable {

        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger connections = new AtomicInteger();

        HangingUpServer() throws IOException {
            Thread accept = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "hanging-up-api-server");
            accept.setDaemon(true);
            accept.start();
        }

        String url() {
            return "https://127.0.0.1:" + socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void await(BooleanSupplier condition) {
        dev.firstordinal.testing.Await.until(INFORMER_WAIT, condition);
    }
}
