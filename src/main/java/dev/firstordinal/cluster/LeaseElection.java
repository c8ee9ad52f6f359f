package dev.firstordinal.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Competing for a coordination.k8s.io Lease that picks the one replica that works (self-managed TLS,
 * policy-sync). The Lease is released when the returned future is cancelled. RBAC on the Lease: get,
 * create, update and patch (without patch a replica cannot take over a Lease another one held).
 */
public final class LeaseElection {

    /** Which Lease, who this replica is, and how the Lease is held. */
    public record Lease(String namespace, String name, String identity, Duration duration, Duration renewDeadline,
                        Duration retryPeriod) {
    }

    private LeaseElection() {
    }

    /**
     * Starts competing at once; {@code started} and {@code stopped} run on fabric8's threads when this
     * replica gains and loses the Lease, {@code holder} with each new holder's identity. Cancel the
     * future to stop (and release a held Lease).
     */
    public static CompletableFuture<?> start(KubernetesClient client, Lease lease, Runnable started, Runnable stopped,
                                             Consumer<String> holder) {
        return client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(lease.name())
                        .withLock(new LeaseLock(lease.namespace(), lease.name(), lease.identity()))
                        .withLeaseDuration(lease.duration())
                        .withRenewDeadline(lease.renewDeadline())
                        .withRetryPeriod(lease.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(started, stopped, leader -> {
                            if (leader != null) {
                                holder.accept(leader);
                            }
                        }))
                        .build())
                .build()
                .start();
    }
}
