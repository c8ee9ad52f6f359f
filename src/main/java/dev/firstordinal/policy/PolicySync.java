package dev.firstordinal.policy;

import dev.firstordinal.cluster.LeaseElection;
import dev.firstordinal.cluster.SlimStatefulSetStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * {@code policy-sync}'s loop: competes for a Lease; the holder watches StatefulSets and namespaces
 * and runs {@link StartOrdinalSync} after every change (coalesced), re-reading the ConfigMap every
 * resync period. All reconciles run on one thread, in order; a set whose backfill failed is tried
 * again. Losing the Lease, or a watch that cannot start, ends the process's work ({@link #ended()}
 * completes), so that its Deployment restarts it and it competes again, the client-go way.
 */
public final class PolicySync implements AutoCloseable {

    /** How often everything is reconciled regardless of events, how events are coalesced, when a failure is retried. */
    public record Timing(Duration resync, Duration coalesce, Duration retry) {

        public static Timing defaults() {
            return new Timing(Duration.ofMinutes(10), Duration.ofMillis(200), Duration.ofSeconds(5));
        }
    }

    /** Why the work ended: {@code stopped} when {@link #close()} ended it, else the Lease was lost or a watch failed. */
    public record End(boolean stopped, String why) {
    }

    /** Page size of the StatefulSet informer's list. */
    static final long LIST_PAGE_SIZE = 500;

    private final KubernetesClient client;
    private final StartOrdinalSync sync;
    private final LeaseElection.Lease lease;
    private final Timing timing;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "first-ordinal-policy-sync");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    /** {@code <namespace>/<set>}, or {@code <namespace>/*} for every set of a namespace, due for a backfill. */
    private final Set<String> due = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<End> ended = new CompletableFuture<>();
    private volatile boolean stopping;
    private volatile SharedIndexInformer<StatefulSet> sets;
    private volatile SharedIndexInformer<Namespace> namespaces;
    private CompletableFuture<?> election;

    public PolicySync(KubernetesClient client, StartOrdinalSync sync, LeaseElection.Lease lease, Timing timing) {
        this.client = client;
        this.sync = sync;
        this.lease = lease;
        this.timing = timing;
    }

    /** Starts competing for the Lease. */
    public synchronized void start() {
        sync.say("Lease " + lease.namespace() + "/" + lease.name() + ", identity " + lease.identity());
        election = LeaseElection.start(client, lease, this::startedLeading,
                () -> ended.complete(new End(stopping, stopping ? "stopped" : "lost the Lease " + lease.name())),
                holder -> {
                    if (!holder.equals(lease.identity())) {
                        sync.say(holder + " holds the Lease " + lease.name() + "; standing by");
                    }
                });
        worker.scheduleWithFixedDelay(() -> {
            sync.forgetWritten();
            queue();
        }, timing.resync().toMillis(), timing.resync().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when this replica's work ends: it stopped leading after having led, or a watch could not start. */
    public CompletableFuture<End> ended() {
        return ended;
    }

    /**
     * Runs on the election's thread: the watches start without waiting for their first list, so the
     * Lease keeps being renewed; {@link #reconcile} waits until both have synced.
     */
    private void startedLeading() {
        sync.say("holds the Lease " + lease.name() + "; watching StatefulSets and namespaces");
        // A namespace that opts in (or changes) makes every set in it due for a backfill.
        namespaces = watch(client.namespaces().runnableInformer(timing.resync().toMillis()), ns -> ns.getMetadata().getName() + "/*",
                "namespaces");
        // Only each set's essentials are kept (SlimStatefulSetStore), and the first list comes in pages.
        SharedIndexInformer<StatefulSet> setInformer = client.apps().statefulSets().inAnyNamespace().withLimit(LIST_PAGE_SIZE)
                .runnableInformer(timing.resync().toMillis());
        setInformer.removeNamespaceIndex();
        setInformer.itemStore(new SlimStatefulSetStore());
        sets = watch(setInformer, set -> set.getMetadata().getNamespace() + "/" + set.getMetadata().getName(), "StatefulSets");
        queue();
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, Function<T, String> dueKey, String what) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                due.add(dueKey.apply(obj));
                queue();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                // A resync hands every object again unchanged: nothing new to backfill.
                if (!Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
                    due.add(dueKey.apply(newObj));
                    queue();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                queue();
            }
        });
        informer.start().whenComplete((ignored, error) -> {
            if (error != null && !stopping) {
                ended.complete(new End(false, "watching " + what + " failed: " + error.getMessage()));
            }
        });
        return informer;
    }

    private void queue() {
        if (reconcileQueued.compareAndSet(false, true)) {
            worker.schedule(this::reconcile, timing.coalesce().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void retryLater() {
        worker.schedule(this::queue, timing.retry().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reconcile() {
        reconcileQueued.set(false);
        if (ended.isDone() || sets == null || namespaces == null) {
            return;
        }
        if (!sets.hasSynced() || !namespaces.hasSynced()) {
            worker.schedule(this::queue, 1, TimeUnit.SECONDS);
            return;
        }
        Set<String> now = Set.copyOf(due);
        due.removeAll(now);
        try {
            Set<String> optedIn = new HashSet<>();
            namespaces.getStore().list().stream().filter(sync::optedIn).forEach(ns -> optedIn.add(ns.getMetadata().getName()));
            List<StatefulSet> all = sets.getStore().list();
            sync.writeParams(all, optedIn);
            for (StatefulSet set : all) {
                String namespace = set.getMetadata().getNamespace();
                String key = namespace + "/" + set.getMetadata().getName();
                if ((now.contains(key) || now.contains(namespace + "/*")) && optedIn.contains(namespace) && !sync.backfill(set)) {
                    due.add(key);
                    retryLater();
                }
            }
        } catch (RuntimeException e) {
            due.addAll(now);
            sync.forgetWritten();
            sync.say("reconcile failed (" + e.getMessage() + "); retrying in " + timing.retry().toSeconds() + "s");
            retryLater();
        }
    }

    /** Stops: the Lease is released, {@link #ended()} completes as stopped. */
    @Override
    public synchronized void close() {
        stopping = true;
        if (election != null) {
            election.cancel(true);
        }
        if (sets != null) {
            sets.close();
        }
        if (namespaces != null) {
            namespaces.close();
        }
        worker.shutdownNow();
        ended.complete(new End(true, "stopped"));
    }
}
