package dev.firstordinal.policy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code policy-sync}'s loop: competes for a Lease; the holder watches StatefulSets and namespaces
 * and runs {@link StartOrdinalSync} after every change (coalesced), and every resync period. All
 * reconciles run on one thread, in order. Losing the Lease ends the process's work ({@link #lost()}
 * completes), so that its Deployment restarts it and it competes again, the client-go way.
 */
public final class PolicySync implements AutoCloseable {

    /** How the Lease is held and how often everything is reconciled regardless of events. */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Duration resync, Duration coalesce) {

        public static Timing defaults() {
            return new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMinutes(10),
                    Duration.ofMillis(200));
        }
    }

    private final KubernetesClient client;
    private final StartOrdinalSync sync;
    private final String leaseNamespace;
    private final String leaseName;
    private final String identity;
    private final Timing timing;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "first-ordinal-policy-sync");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final Set<String> setsToBackfill = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private volatile SharedIndexInformer<StatefulSet> sets;
    private volatile SharedIndexInformer<Namespace> namespaces;
    private CompletableFuture<?> election;

    public PolicySync(KubernetesClient client, StartOrdinalSync sync, String leaseNamespace, String leaseName, String identity, Timing timing) {
        this.client = client;
        this.sync = sync;
        this.leaseNamespace = leaseNamespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.timing = timing;
    }

    /** Starts competing for the Lease. */
    public synchronized void start() {
        sync.say("Lease " + leaseNamespace + "/" + leaseName + ", identity " + identity);
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                        .withName(leaseName)
                        .withLock(new LeaseLock(leaseNamespace, leaseName, identity))
                        .withLeaseDuration(timing.leaseDuration())
                        .withRenewDeadline(timing.renewDeadline())
                        .withRetryPeriod(timing.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, () -> lost.complete("lost the Lease " + leaseName),
                                leader -> {
                                    if (leader != null && !leader.equals(identity)) {
                                        sync.say(leader + " holds the Lease " + leaseName + "; standing by");
                                    }
                                }))
                        .build())
                .build().start();
    }

    /** Completes, with why, when this replica stops leading after having led. */
    public CompletableFuture<String> lost() {
        return lost;
    }

    private void startedLeading() {
        sync.say("holds the Lease " + leaseName + "; watching StatefulSets and namespaces");
        // A namespace that opts in (or changes) makes every set in it due for a backfill.
        namespaces = client.namespaces().inform(handler(ns -> {
            setsToBackfill.add(ns.getMetadata().getName() + "/*");
            return true;
        }), timing.resync().toMillis());
        sets = client.apps().statefulSets().inAnyNamespace().inform(handler(set -> {
            setsToBackfill.add(set.getMetadata().getNamespace() + "/" + set.getMetadata().getName());
            return true;
        }), timing.resync().toMillis());
        queue();
    }

    private <T> ResourceEventHandler<T> handler(java.util.function.Predicate<T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.test(obj);
                queue();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.test(newObj);
                queue();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                queue();
            }
        };
    }

    private void queue() {
        if (reconcileQueued.compareAndSet(false, true)) {
            worker.schedule(this::reconcile, timing.coalesce().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void reconcile() {
        reconcileQueued.set(false);
        if (lost.isDone() || sets == null || namespaces == null || !sets.hasSynced() || !namespaces.hasSynced()) {
            if (!lost.isDone()) {
                worker.schedule(this::queue, 1, TimeUnit.SECONDS);
            }
            return;
        }
        Set<String> due = Set.copyOf(setsToBackfill);
        setsToBackfill.removeAll(due);
        try {
            Set<String> optedIn = new HashSet<>();
            namespaces.getStore().list().stream().filter(sync::optedIn).forEach(ns -> optedIn.add(ns.getMetadata().getName()));
            List<StatefulSet> all = sets.getStore().list();
            sync.writeParams(all, optedIn);
            for (StatefulSet set : all) {
                String key = set.getMetadata().getNamespace() + "/" + set.getMetadata().getName();
                if ((due.contains(key) || due.contains(set.getMetadata().getNamespace() + "/*")) && optedIn.contains(set.getMetadata().getNamespace())) {
                    sync.backfill(set);
                }
            }
        } catch (RuntimeException e) {
            setsToBackfill.addAll(due);
            sync.say("reconcile failed (" + e.getMessage() + "); retrying in 5s");
            worker.schedule(this::queue, 5, TimeUnit.SECONDS);
        }
    }

    @Override
    public synchronized void close() {
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
    }
}
