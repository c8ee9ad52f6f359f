package dev.firstordinal.repair;

import dev.firstordinal.cluster.LeaseElection;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.ordinal.StatefulSetOwner;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Webhook mode's self-repair: the replica that holds the repair Lease watches StatefulSet pods and
 * namespaces and, within seconds, makes every StatefulSet pod of an opted-in namespace what admission
 * would have made it ({@link RepairPlan}: the {@code audit --fix} plan, sent with {@link PodFixes}).
 * That covers pods created while the webhook was unreachable (fail open) or before it was installed,
 * a first ordinal that existed before {@code spec.ordinals.start} moved onto it, and first-ordinal's
 * marks on pods that are no longer first.
 *
 * <p>A pod event queues its StatefulSet when a look at the cached start ordinal says the pod may be
 * wrong ({@link RepairPlan#mayNeedRepair}); a deleted pod always does. Queued sets are read from the API
 * server (never from a cache) and repaired on one thread, events coalesced; a set that cannot be read
 * is never patched and is tried again, as is a patch that failed. Every {@code resync} all pods are
 * looked at again. Losing the Lease stops the watches; the replica then competes again.
 */
public final class Repairer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Repairer.class);

    /**
     * @param lease       the Lease that picks the one replica that repairs
     * @param label       the namespace label that opts a namespace in
     * @param namespaces  the only namespaces to watch and repair; empty: all
     * @param excluded    namespaces never repaired whatever their labels (as the webhook's namespaceSelector excludes them)
     * @param resync      how often every pod is looked at again regardless of events
     * @param coalesce    how long events are gathered before a repair pass
     * @param retry       when a set that could not be read or patched is tried again
     */
    public record Settings(LeaseElection.Lease lease, NamespaceLabel label, List<String> namespaces, Set<String> excluded,
                           Duration resync, Duration coalesce, Duration retry) {
        public Settings {
            namespaces = List.copyOf(namespaces);
            excluded = Set.copyOf(excluded);
        }
    }

    private final KubernetesClient client;
    private final FirstOrdinalRule rule;
    private final StartOrdinalLookup cachedStarts;
    private final Settings settings;
    private final RepairMetrics metrics;
    private final SetRepair setRepair;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "first-ordinal-repair");
        thread.setDaemon(true);
        return thread;
    });
    /** {@code <namespace>/<statefulset>} due for a repair pass. */
    private final Set<String> due = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** Set when the watches start: the first pass after they have synced looks at every pod. */
    private volatile boolean lookAtAll;
    private final java.util.concurrent.atomic.AtomicLong lastWatchErrorLog = new java.util.concurrent.atomic.AtomicLong();
    private volatile RepairWatches watches;
    private volatile boolean leading;
    private volatile boolean closed;
    private CompletableFuture<?> election;
    private ScheduledFuture<?> resync;

    Repairer(KubernetesClient client, FirstOrdinalRule rule, StartOrdinalLookup cachedStarts, Settings settings, RepairMetrics metrics,
             Clock clock) {
        this.client = client;
        this.rule = rule;
        this.cachedStarts = cachedStarts;
        this.settings = settings;
        this.metrics = metrics;
        this.setRepair = new SetRepair(client, rule, metrics, clock, settings.retry());
    }

    /** Starts competing for the Lease. */
    public synchronized void start() {
        LOG.infof("repair: Lease %s/%s, identity %s; namespaces %s", settings.lease().namespace(), settings.lease().name(),
                settings.lease().identity(), settings.namespaces().isEmpty() ? "labelled " + settings.label() : String.join(",", settings.namespaces()));
        compete();
    }

    private synchronized void compete() {
        if (closed) {
            return;
        }
        election = LeaseElection.start(client, settings.lease(), this::startedLeading, this::stoppedLeading,
                holder -> LOG.debugf("repair: %s holds the Lease %s", holder, settings.lease().name()));
    }

    /** Whether this replica holds the Lease and repairs. */
    public boolean isLeader() {
        return leading;
    }

    private void startedLeading() {
        leading = true;
        metrics.leading(true);
        LOG.infof("repair: %s holds the Lease %s; watching StatefulSet pods and namespaces", settings.lease().identity(),
                settings.lease().name());
        submit(this::watch);
    }

    private void stoppedLeading() {
        leading = false;
        metrics.leading(false);
        submit(this::unwatch);
        if (!closed) {
            LOG.infof("repair: %s no longer holds the Lease %s; competing again", settings.lease().identity(), settings.lease().name());
            submit(() -> worker.schedule(this::compete, settings.lease().retryPeriod().toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Worker thread: the watches start without waiting for their first list, so the Lease keeps being renewed. */
    private void watch() {
        if (!leading || closed) {
            return;
        }
        watches = RepairWatches.start(client, settings, rule.policy(), this::podChanged, this::namespaceChanged, this::retryAfter);
        resync = worker.scheduleWithFixedDelay(this::lookAtEveryPod, settings.resync().toMillis(), settings.resync().toMillis(),
                TimeUnit.MILLISECONDS);
        lookAtAll = true;
        queue();
    }

    private void unwatch() {
        if (resync != null) {
            resync.cancel(false);
            resync = null;
        }
        if (watches != null) {
            watches.close();
            watches = null;
        }
        due.clear();
    }

    /** Informer thread: queues the pod's set if the pod may need a repair, or was deleted (its set's first ordinal may have moved). */
    private void podChanged(Pod pod, boolean deleted) {
        String namespace = pod.getMetadata().getNamespace();
        Optional<StatefulSetOwner> owner = StatefulSetOwner.controllerOf(pod.getMetadata());
        if (owner.isEmpty() || !optedIn(namespace)) {
            return;
        }
        if (deleted || RepairPlan.mayNeedRepair(pod, namespace, cachedStarts.withoutBlocking(namespace, owner.get().name()), rule)) {
            due.add(key(namespace, owner.get().name()));
            queue();
        }
    }

    /** A namespace that opts in (or changes its labels): every set with pods in it is looked at. */
    private void namespaceChanged(Namespace namespace) {
        RepairWatches now = watches;
        if (now != null) {
            now.eachPodIn(namespace.getMetadata().getName(), pod -> podChanged(pod, false));
        }
    }

    private void lookAtEveryPod() {
        RepairWatches now = watches;
        if (now != null) {
            now.eachPod(pod -> podChanged(pod, false));
        }
    }

    private void queue() {
        if (passQueued.compareAndSet(false, true)) {
            try {
                worker.schedule(this::pass, settings.coalesce().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                passQueued.set(false); // closed
            }
        }
    }

    /** Worker thread: repairs every due set. */
    private void pass() {
        passQueued.set(false);
        if (!leading || closed) {
            return;
        }
        RepairWatches current = watches;
        if (current == null || !current.hasSynced()) {
            worker.schedule(this::queue, 200, TimeUnit.MILLISECONDS);
            return;
        }
        if (lookAtAll) {
            // Events that came before both watches had synced may have been dropped (namespace not known yet).
            lookAtAll = false;
            LOG.infof("repair: watches synced: %d StatefulSet pods", current.podCount());
            lookAtEveryPod();
        }
        Set<String> now = Set.copyOf(due);
        due.removeAll(now);
        boolean retry = false;
        for (String key : now) {
            if (!leading || closed) {
                return;
            }
            if (!repair(key)) {
                due.add(key);
                retry = true;
            }
        }
        if (retry) {
            worker.schedule(this::queue, settings.retry().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One set, if its namespace is still opted in ({@link SetRepair}). False when it must be tried again. */
    private boolean repair(String key) {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, slash);
        if (!optedIn(namespace)) {
            return true;
        }
        RepairWatches now = watches;
        return now == null || setRepair.repair(namespace, key.substring(slash + 1), () -> now.podsOf(key));
    }

    /** A watch failed: retried (fabric8 backs off); logged at most once a minute, with the RBAC it needs. */
    private boolean retryAfter(boolean started, Throwable error) {
        if (closed) {
            return false;
        }
        long now = System.nanoTime();
        long last = lastWatchErrorLog.get();
        if ((last == 0 || now - last > TimeUnit.MINUTES.toNanos(1)) && lastWatchErrorLog.compareAndSet(last, now)) {
            LOG.warnf("repair: a %s failed (%s); retrying, nothing is repaired meanwhile. Check RBAC: list and watch on pods "
                    + "and namespaces", started ? "watch" : "first list", error.getMessage() == null ? error : error.getMessage().replaceAll("\\s+", " "));
        }
        return true;
    }

    private boolean optedIn(String namespace) {
        if (namespace == null || settings.excluded().contains(namespace)
                || (!settings.namespaces().isEmpty() && !settings.namespaces().contains(namespace))) {
            return false;
        }
        RepairWatches now = watches;
        return now != null && now.labelled(namespace);
    }

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }


    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** Stops: the Lease is released and the watches closed. */
    @Override
    public synchronized void close() {
        closed = true;
        if (election != null) {
            election.cancel(true);
        }
        worker.shutdownNow();
        if (watches != null) {
            watches.close();
        }
        leading = false;
        metrics.leading(false);
    }
}
