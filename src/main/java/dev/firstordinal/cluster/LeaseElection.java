package dev.firstordinal.certs.selfmanaged;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;

/**
 * Competing for the coordination.k8s.io Lease that picks the one replica that writes the Secret and
 * the caBundle: durations and identity from {@link SelfManagedCertificates.Settings}, the Lease
 * released when the returned future is cancelled, and the holder logged when it changes.
 */
final class LeaseElection {

    private static final Logger LOG = Logger.getLogger(SelfManagedCertificates.class);

    private LeaseElection() {
    }

    /**
     * Starts competing at once; {@code started} and {@code stopped} run on fabric8's threads when this
     * replica gains and loses the Lease. Cancel the future to stop (and release a held Lease).
     */
    static CompletableFuture<?> start(KubernetesClient client, SelfManagedCertificates.Settings settings, Runnable started,
                                      Runnable stopped) {
        return client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(settings.leaseName())
                        .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
                        .withLeaseDuration(settings.leaseDuration())
                        .withRenewDeadline(settings.leaseRenewDeadline())
                        .withRetryPeriod(settings.leaseRetryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(started, stopped, leader -> {
                            if (leader != null) {
                                LOG.infof("self-managed TLS: %s holds the Lease %s", leader, settings.leaseName());
                            }
                        }))
                        .build())
                .build()
                .start();
    }
}
