package dev.firstordinal.certs.selfmanaged;

import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.certs.rotation.CertificateSecret;
import dev.firstordinal.certs.rotation.RotationPlan;
import dev.firstordinal.certs.rotation.RotationPlanner;
import dev.firstordinal.certs.rotation.RotationPolicy;
import dev.firstordinal.cluster.LeaseElection;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Self-managed TLS, the Kubernetes edge around {@link RotationPlanner}.
 *
 * <p>Every replica watches the Secret and serves its certificate as soon as it changes. One replica,
 * the holder of a coordination.k8s.io Lease, also reconciles: it plans from the Secret and the
 * webhook configuration, patches the webhook configuration's caBundle first and writes the Secret
 * second, at start, whenever either changes, when the plan says something falls due, and at least
 * every check interval. Writes carry the resourceVersion they were planned from, so a replica that
 * lost the Lease mid-way cannot overwrite a newer leader's work.
 *
 * <p>All work runs on one thread, in order. This class holds the lifecycle (Lease, watches, the
 * schedule of checks); the Secret is {@link TlsSecret}, the caBundle {@link WebhookCaBundle}.
 */
public final class SelfManagedCertificates implements AutoCloseable {

    /** Where things are and how the Lease is held. */
    public record Settings(String namespace, String secretName, String webhookConfiguration, String leaseName,
                           String identity, Duration checkInterval, Duration leaseDuration, Duration leaseRenewDeadline,
                           Duration leaseRetryPeriod) {

        public Settings {
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    private static final Logger LOG = Logger.getLogger(SelfManagedCertificates.class);
    private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(30);
    private static final Duration SOONEST = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final Settings settings;
    private final RotationPlanner planner;
    private final Clock clock;
    private final Consumer<ServingPair> serve;
    private final ScheduledExecutorService worker;
    private volatile boolean leading;
    private volatile boolean closed;
    private volatile ServingPair served;
    private final TlsSecret tlsSecret;
    private final WebhookCaBundle caBundle;
    private SharedIndexInformer<Secret> secretInformer;
    private SharedIndexInformer<MutatingWebhookConfiguration> webhookInformer;
    private CompletableFuture<?> election;
    private ScheduledFuture<?> nextCheck;

    /**
     * @param serve called, on this class's thread, with each new serving pair the Secret holds
     */
    public SelfManagedCertificates(KubernetesClient client, Settings settings, RotationPlanner planner, Clock clock,
                                   Consumer<ServingPair> serve) {
        this.client = client;
        this.settings = settings;
        this.planner = planner;
        this.clock = clock;
        this.serve = serve;
        this.tlsSecret = new TlsSecret(client, settings.namespace(), settings.secretName());
        this.caBundle = new WebhookCaBundle(client, settings.webhookConfiguration());
        this.worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "first-ordinal-tls-self-managed");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts watching the Secret and competing for the Lease. */
    public synchronized void start() {
        LOG.infof("self-managed TLS: Secret %s/%s, MutatingWebhookConfiguration %s, Lease %s/%s, identity %s",
                settings.namespace(), settings.secretName(), settings.webhookConfiguration(), settings.namespace(),
                settings.leaseName(), settings.identity());
        secretInformer = Watches.watch(client.secrets().inNamespace(settings.namespace()).withName(settings.secretName())
                .runnableInformer(settings.checkInterval().toMillis()), this::onSecret, "Secret " + settings.namespace() + "/" + settings.secretName(),
                () -> closed);
        election = LeaseElection.start(client, new LeaseElection.Lease(settings.namespace(), settings.leaseName(), settings.identity(),
                        settings.leaseDuration(), settings.leaseRenewDeadline(), settings.leaseRetryPeriod()),
                this::startedLeading, this::stoppedLeading,
                leader -> LOG.infof("self-managed TLS: %s holds the Lease %s", leader, settings.leaseName()));
    }

    /** Whether this replica holds the Lease. */
    public boolean isLeader() {
        return leading;
    }

    /** The serving pair this replica took from the Secret last; empty until the Secret holds one. */
    public Optional<ServingPair> served() {
        return Optional.ofNullable(served);
    }

    /** Runs a reconcile now (if leading) and waits for it. */
    public CompletableFuture<Void> reconcileNow() {
        return CompletableFuture.runAsync(this::reconcile, worker);
    }

    private void onSecret(Secret secret) {
        submit(() -> {
            mirror(secret);
            scheduleCheck(Duration.ZERO);
        });
    }

    /** Runs {@code task} on the worker thread; after {@link #close()} it is dropped. */
    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** Every replica: serve the Secret's pair as soon as it changes. */
    private void mirror(Secret secret) {
        if (secret == null) {
            return;
        }
        CertificateSecret contents = TlsSecret.contents(secret);
        Optional<ServingPair> pair = contents.serving();
        if (pair.isEmpty()) {
            if (!contents.problems().isEmpty()) {
                LOG.warnf("self-managed TLS: not serving from Secret %s/%s: %s", settings.namespace(), settings.secretName(),
                        String.join("; ", contents.problems()));
            }
            return;
        }
        if (served != null && served.chain().equals(pair.get().chain()) && served.key().equals(pair.get().key())) {
            return;
        }
        serve.accept(pair.get());
        served = pair.get();
        LOG.infof("self-managed TLS: serving the certificate from Secret %s/%s: %s", settings.namespace(), settings.secretName(),
                pair.get().describe());
    }

    private void startedLeading() {
        LOG.infof("self-managed TLS: %s leads; keeping Secret %s/%s and the caBundle of %s up to date", settings.identity(),
                settings.namespace(), settings.secretName(), settings.webhookConfiguration());
        leading = true;
        submit(() -> {
            webhookInformer = Watches.watch(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                            .withName(settings.webhookConfiguration()).runnableInformer(settings.checkInterval().toMillis()),
                    unused -> submit(() -> scheduleCheck(Duration.ZERO)), "MutatingWebhookConfiguration " + settings.webhookConfiguration(),
                    () -> closed);
            reconcile();
        });
    }

    private void stoppedLeading() {
        leading = false;
        submit(() -> {
            if (webhookInformer != null) {
                webhookInformer.close();
                webhookInformer = null;
            }
            if (nextCheck != null) {
                nextCheck.cancel(false);
            }
        });
        if (!closed) {
            LOG.infof("self-managed TLS: %s no longer leads", settings.identity());
        }
    }

    /** Leader only: plan, patch the caBundle, write the Secret, schedule the next check. Runs on the worker thread. */
    private void reconcile() {
        if (!leading || closed) {
            return;
        }
        Duration next = settings.checkInterval();
        try {
            Secret secret = tlsSecret.read();
            MutatingWebhookConfiguration webhook = caBundle.read();
            RotationPlan plan = planner.plan(TlsSecret.contents(secret), webhook == null ? List.of() : WebhookCaBundle.trustedBy(webhook));
            plan.changes().forEach(change -> LOG.infof("self-managed TLS: %s", change));
            if (!leading) {
                return;
            }
            caBundle.patch(webhook, plan.caBundle());
            if (plan.secretChanged()) {
                tlsSecret.write(secret, plan.secretData());
            }
            Instant now = clock.instant();
            if (plan.nextEvent().isPresent() && Duration.between(now, plan.nextEvent().get()).compareTo(next) < 0) {
                next = Duration.between(now, plan.nextEvent().get());
            }
        } catch (KubernetesClientException e) {
            next = RETRY_AFTER_ERROR.compareTo(settings.checkInterval()) < 0 ? RETRY_AFTER_ERROR : settings.checkInterval();
            LOG.warnf("self-managed TLS: %s; retrying in %s", Watches.rootMessage(e), RotationPolicy.format(next));
        } catch (RuntimeException e) {
            next = RETRY_AFTER_ERROR;
            LOG.error("self-managed TLS: reconcile failed; retrying in " + RotationPolicy.format(next), e);
        }
        scheduleCheck(next);
    }

    private void scheduleCheck(Duration delay) {
        if (closed || !leading) {
            return;
        }
        if (nextCheck != null) {
            nextCheck.cancel(false);
        }
        long millis = Math.max(delay.isZero() ? 0 : SOONEST.toMillis(), delay.toMillis());
        nextCheck = worker.schedule(this::reconcile, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops competing (releasing the Lease if held) and watching. */
    @Override
    public synchronized void close() {
        closed = true;
        if (election != null) {
            election.cancel(true);
        }
        leading = false;
        if (secretInformer != null) {
            secretInformer.close();
        }
        submit(() -> {
            if (webhookInformer != null) {
                webhookInformer.close();
            }
        });
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
