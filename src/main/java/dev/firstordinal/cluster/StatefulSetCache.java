package dev.firstordinal.cluster;

import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Start ordinals from a fabric8 informer cache of StatefulSets, so that {@code /mutate} makes no
 * API call on its hot path.
 *
 * <p>A StatefulSet not in the cache (the informer has not seen it yet, or is not synced) is read
 * with one GET bounded by a short deadline (at most {@link #MAX_GET_TIMEOUT}, no retries). When
 * that fails the answer is 0, the Kubernetes default, with a warning for the AdmissionResponse, a
 * log line and a count in {@value #MISSES_METRIC}{@code {result="not_found"|"failed"}}: the
 * webhook never denies a pod because a StatefulSet could not be read.
 *
 * <p>When a GET gets no HTTP answer at all (connection refused, unknown host, deadline passed),
 * no GET is tried for {@link #UNREACHABLE_RETRY_AFTER}, for any set (see {@link UnreachableWindow}):
 * a webhook run with no reachable cluster costs one attempt and logs one warning per window, and
 * each miss in it falls back to 0 at once (counted as {@code failed}, with the same warning in
 * its AdmissionResponse). A 404 or another HTTP error is per set and per review, as before.
 *
 * <p>A cached set can lag the API server: the StatefulSet controller creates the pods of a new
 * {@code spec.ordinals.start} right after the update, often before this informer has it. A cached answer
 * therefore carries the cached {@code spec.replicas}, and a pod whose ordinal lies outside the cached
 * {@code [start, start + replicas)} makes the rule {@linkplain #reread read the set again} with the same
 * bounded GET (counted in {@value #STALE_METRIC}{@code _total}); if that fails, the cached start is kept,
 * with a warning.
 *
 * <p>Watches every namespace, or only the given ones (one informer each). Only each StatefulSet's
 * {@link StatefulSets#essentials} are kept (see {@link SlimStatefulSetStore}); the coverage gauges
 * read them through {@link #cached(String)} instead of listing StatefulSets again.
 */
public final class StatefulSetCache implements StartOrdinalLookup, AutoCloseable {

    public static final Duration MAX_GET_TIMEOUT = Duration.ofMillis(500);
    /** After a GET that got no answer from the API server, misses fall back without a GET for this long. */
    public static final Duration UNREACHABLE_RETRY_AFTER = Duration.ofSeconds(30);
    public static final String MISSES_METRIC = "first_ordinal_statefulset_cache_misses";
    public static final String ENTRIES_METRIC = "first_ordinal_statefulset_cache_entries";
    /** Cached answers that ruled the reviewed pod's ordinal out, so the set was read again. */
    public static final String STALE_METRIC = "first_ordinal_statefulset_cache_stale";
    /**
     * Page size of the informer's lists (the first one and every relist), so that 10,000 StatefulSets do not come in one
     * response: a page of Bitnami-sized sets is ~0.7 MB of JSON and ~2.7 MB parsed.
     */
    static final long LIST_PAGE_SIZE = 100;
    /** GETs in flight at once; more misses than this fall back at once rather than queue. */
    static final int MAX_GETS_IN_FLIGHT = 8;

    private static final Logger LOG = Logger.getLogger(StatefulSetCache.class);
    private static final Duration INFORMER_ERROR_LOG_INTERVAL = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final StatefulSetReads reads;
    /** Namespace to store; the key {@code null} holds the single all-namespaces store. */
    private final Map<String, SlimStatefulSetStore> stores = new LinkedHashMap<>();
    private final List<SharedIndexInformer<StatefulSet>> informers = new ArrayList<>();
    private final Counter stale;
    private final AtomicLong lastInformerErrorLog = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param namespaces the namespaces to watch; empty: all namespaces
     * @param getTimeout deadline of the GET on a cache miss, 1 ms to {@link #MAX_GET_TIMEOUT}
     */
    public StatefulSetCache(KubernetesClient client, List<String> namespaces, Duration getTimeout, MeterRegistry registry) {
        this(client, namespaces, getTimeout, registry, Clock.systemUTC());
    }

    /** As above, with the clock that times {@link #UNREACHABLE_RETRY_AFTER} (tests move it by hand). */
    StatefulSetCache(KubernetesClient client, List<String> namespaces, Duration getTimeout, MeterRegistry registry, Clock clock) {
        if (getTimeout.isNegative() || getTimeout.isZero() || getTimeout.compareTo(MAX_GET_TIMEOUT) > 0) {
            throw new IllegalArgumentException("the StatefulSet GET timeout must be between 1ms and "
                    + MAX_GET_TIMEOUT.toMillis() + "ms (the webhook's answer waits for it), not " + getTimeout.toMillis() + "ms");
        }
        this.client = client;
        this.reads = new StatefulSetReads(client, getTimeout, new UnreachableWindow(clock, UNREACHABLE_RETRY_AFTER), registry);
        if (namespaces.isEmpty()) {
            stores.put(null, new SlimStatefulSetStore());
        } else {
            namespaces.forEach(ns -> stores.put(ns, new SlimStatefulSetStore()));
        }
        this.stale = Counter.builder(STALE_METRIC)
                .description("Cached StatefulSets that could not be right for the pod under review (its ordinal outside the cached "
                        + "[start, start + replicas)), so the set was read again")
                .register(registry);
        Gauge.builder(ENTRIES_METRIC, this, StatefulSetCache::size)
                .description("StatefulSets in the webhook's informer cache")
                .register(registry);
    }

    /** Starts the informers without waiting for them: until they have synced, lookups miss and GET. */
    public StatefulSetCache start() {
        stores.forEach((namespace, store) -> {
            SharedIndexInformer<StatefulSet> informer = (namespace == null
                    ? client.apps().statefulSets().inAnyNamespace().withLimit(LIST_PAGE_SIZE)
                    : client.apps().statefulSets().inNamespace(namespace).withLimit(LIST_PAGE_SIZE))
                    .runnableInformer(0);
            informer.removeNamespaceIndex();
            informer.itemStore(store);
            informer.exceptionHandler(this::retryAfter);
            informers.add(informer);
            Relists.add(informer);
            String scope = namespace == null ? "all namespaces" : "namespace " + namespace;
            informer.start().whenComplete((ignored, error) -> {
                if (error == null) {
                    LOG.infof("StatefulSet cache synced for %s: %d StatefulSets", scope, store.size());
                } else if (!closed) {
                    LOG.warnf("StatefulSet cache for %s stopped: %s; every lookup now GETs the StatefulSet", scope, ClientErrors.oneLine(error));
                }
            });
        });
        LOG.infof("StatefulSet cache starting: watching %s", stores.containsKey(null) ? "all namespaces" : String.join(", ", stores.keySet()));
        return this;
    }

    @Override
    public Optional<StartOrdinal> withoutBlocking(String namespace, String statefulSet) {
        SlimStatefulSetStore store = stores.containsKey(null) ? stores.get(null) : stores.get(namespace);
        StatefulSet cached = store == null ? null : store.get(SlimStatefulSetStore.key(namespace, statefulSet));
        if (cached != null) {
            return Optional.of(StartOrdinal.cached(StatefulSets.startOrdinal(cached), StatefulSets.replicas(cached)));
        }
        return reads.skippedWhileUnreachable(namespace, statefulSet);
    }

    @Override
    public StartOrdinal startOrdinal(String namespace, String statefulSet) {
        return withoutBlocking(namespace, statefulSet).orElseGet(() -> reads.fetch(namespace, statefulSet, StatefulSetReads.Miss.ABSENT));
    }

    /** The cached set cannot be right for the pod under review: one bounded GET, as on a miss; the cached start if it fails. */
    @Override
    public StartOrdinal reread(String namespace, String statefulSet, StartOrdinal cached) {
        stale.increment();
        return reads.fetch(namespace, statefulSet, StatefulSetReads.Miss.stale(cached));
    }

    /**
     * The cached StatefulSets of one namespace ({@link StatefulSets#essentials} only, shared with the
     * cache: do not change them), once every informer has synced and one of them watches that
     * namespace; empty otherwise (the caller then lists them itself).
     */
    public Optional<List<StatefulSet>> cached(String namespace) {
        SlimStatefulSetStore store = stores.containsKey(null) ? stores.get(null) : stores.get(namespace);
        if (store == null || !hasSynced()) {
            return Optional.empty();
        }
        return Optional.of(store.unpacked().filter(set -> namespace.equals(set.getMetadata().getNamespace())).toList());
    }

    /** StatefulSets in the cache. */
    public int size() {
        return stores.values().stream().mapToInt(SlimStatefulSetStore::size).sum();
    }

    /** Whether every informer has completed its initial list. */
    public boolean hasSynced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    private boolean retryAfter(boolean started, Throwable error) {
        if (closed) {
            return false;
        }
        long now = System.nanoTime();
        long last = lastInformerErrorLog.get();
        if (last == 0 || now - last > INFORMER_ERROR_LOG_INTERVAL.toNanos()) {
            lastInformerErrorLog.set(now);
            LOG.warnf("StatefulSet cache: %s failed (%s); retrying. Cache misses GET the StatefulSet meanwhile. "
                    + "Check RBAC: get, list, watch on statefulsets.apps", started ? "watch" : "initial list", ClientErrors.oneLine(error));
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::stop);
        informers.forEach(Relists::remove);
        reads.close();
    }
}
