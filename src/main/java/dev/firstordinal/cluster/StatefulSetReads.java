package dev.firstordinal.cluster;

import dev.firstordinal.admission.LogText;
import dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link StatefulSetCache}'s reads of a set it cannot answer from its informer: one GET bounded by a short
 * deadline, no retries, at most {@link StatefulSetCache#MAX_GETS_IN_FLIGHT} at once, none while the API server is
 * taken as unreachable ({@link UnreachableWindow}); on failure a guessed start with a warning, a log line and a count
 * in {@value StatefulSetCache#MISSES_METRIC}.
 */
final class StatefulSetReads implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StatefulSetCache.class);

    private final KubernetesClient getClient;
    private final Duration getTimeout;
    private final UnreachableWindow unreachable;
    private final ThreadPoolExecutor gets;
    private final Counter fetched;
    private final Counter notFound;
    private final Counter failed;

    StatefulSetReads(KubernetesClient client, Duration getTimeout, UnreachableWindow unreachable, MeterRegistry registry) {
        this.getTimeout = getTimeout;
        this.unreachable = unreachable;
        this.getClient = client.newClient(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                        .withRequestTimeout((int) getTimeout.toMillis())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .adapt(KubernetesClient.class);
        this.gets = new ThreadPoolExecutor(0, StatefulSetCache.MAX_GETS_IN_FLIGHT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads());
        this.fetched = missCounter(registry, "fetched");
        this.notFound = missCounter(registry, "not_found");
        this.failed = missCounter(registry, "failed");
    }

    /**
     * While the API server is taken as unreachable, the answer for a set not in the cache needs no read: it is given
     * here, on the caller's thread, instead of sending the review to a worker only to guess there. Empty otherwise.
     */
    Optional<StartOrdinal> skippedWhileUnreachable(String namespace, String name) {
        return unreachable.skipping() ? Optional.of(skipped(namespace, name, Miss.ABSENT)) : Optional.empty();
    }

    /**
     * Why a set is read and what is answered when the read fails.
     *
     * @param state  what the cache held, for the warning ("is not in the cache")
     * @param guess  the start answered when the read fails
     */
    record Miss(String state, int guess) {

        static final Miss ABSENT = new Miss("is not in the cache", 0);

        static Miss stale(StartOrdinal cached) {
            return new Miss("is stale in the cache (start " + cached.value() + ", " + cached.replicas()
                    + " replicas there, which cannot make the pod under review)", cached.value());
        }

        String assumption() {
            return this == ABSENT ? "assuming its first ordinal is 0 (spec.ordinals.start unknown)"
                    : "assuming its first ordinal is still " + guess;
        }
    }

    /** One bounded GET of the set; on failure the miss's guess, with a warning. */
    StartOrdinal fetch(String namespace, String name, Miss miss) {
        if (unreachable.skipping()) {
            return skipped(namespace, name, miss);
        }
        Future<StatefulSet> get;
        try {
            get = gets.submit(() -> getClient.apps().statefulSets().inNamespace(namespace).withName(name).get());
        } catch (RejectedExecutionException e) {
            return fallback(failed, namespace, name, miss, StatefulSetCache.MAX_GETS_IN_FLIGHT + " other reads are in flight");
        }
        try {
            StatefulSet statefulSet = get.get(getTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (statefulSet == null) {
                return fallback(notFound, namespace, name, miss, "it was not found");
            }
            fetched.increment();
            int start = StatefulSets.startOrdinal(statefulSet);
            LOG.debugf("StatefulSet %s/%s %s; read it: first ordinal %d", namespace, name, miss.state(), start);
            return StartOrdinal.of(start);
        } catch (TimeoutException e) {
            get.cancel(true);
            return noAnswer(namespace, name, miss, "reading it took longer than " + getTimeout.toMillis() + "ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KubernetesClientException k && k.getCode() > 0) {
                return fallback(failed, namespace, name, miss, "reading it failed: " + ClientErrors.oneLine(k));
            }
            return noAnswer(namespace, name, miss, "reading it failed: " + ClientErrors.oneLine(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            get.cancel(true);
            return fallback(failed, namespace, name, miss, "reading it was interrupted");
        }
    }

    /** The guess while the unreachable window runs: counted as failed, no log line (the window's first failure logged). */
    private StartOrdinal skipped(String namespace, String name, Miss miss) {
        failed.increment();
        return StartOrdinal.guessed(miss.guess(), warning(namespace, name, miss, "the API server could not be reached lately (a read is "
                + "tried again " + unreachable.length().toSeconds() + "s after the last failed one)"));
    }

    private static StartOrdinal fallback(Counter counter, String namespace, String name, Miss miss, String why) {
        counter.increment();
        String warning = warning(namespace, name, miss, why);
        // The names come from the review: escaped and bounded in the log line (the answer's warnings are bounded apart).
        LOG.warn(warning(LogText.of(namespace), LogText.of(name), miss, why));
        return StartOrdinal.guessed(miss.guess(), warning);
    }

    /**
     * The GET got no HTTP answer: the API server is taken as unreachable for every set for a while.
     * Only the failure that starts that window logs, and says so.
     */
    private StartOrdinal noAnswer(String namespace, String name, Miss miss, String why) {
        failed.increment();
        String warning = warning(namespace, name, miss, why);
        if (unreachable.unreachable()) {
            LOG.warnf("%s. The API server did not answer: StatefulSets are not read again for %ds; until then a pod whose "
                    + "StatefulSet is not cached is decided by its own ordinal as if its set started at 0, with this warning "
                    + "in its AdmissionResponse, and no further log line", warning(LogText.of(namespace), LogText.of(name), miss, why),
                    unreachable.length().toSeconds());
        }
        return StartOrdinal.guessed(miss.guess(), warning);
    }

    private static String warning(String namespace, String name, Miss miss, String why) {
        return "first-ordinal: StatefulSet " + namespace + "/" + name + " " + miss.state() + " and " + why + "; " + miss.assumption();
    }

    private static Counter missCounter(MeterRegistry registry, String result) {
        return Counter.builder(StatefulSetCache.MISSES_METRIC)
                .description("Admission lookups of a StatefulSet that was not in the cache, by outcome of the GET")
                .tag("result", result)
                .register(registry);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "first-ordinal-statefulset-get-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        gets.shutdownNow();
        // getClient shares the caller's HTTP client: closing it would close theirs.
    }
}
