package dev.firstordinal.certs.selfmanaged;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.certs.rotation.CertificateSecret;
import dev.firstordinal.certs.rotation.RotationPlan;
import dev.firstordinal.certs.rotation.RotationPlanner;
import dev.firstordinal.certs.rotation.RotationPolicy;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>All work runs on one thread, in order.
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
    private static final ObjectMapper JSON = new ObjectMapper();
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
    private boolean warnedNoWebhookConfiguration;
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
        secretInformer = watch(client.secrets().inNamespace(settings.namespace()).withName(settings.secretName())
                .runnableInformer(settings.checkInterval().toMillis()), this::onSecret, "Secret " + settings.namespace() + "/" + settings.secretName());
        election = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(settings.leaseName())
                        .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
                        .withLeaseDuration(settings.leaseDuration())
                        .withRenewDeadline(settings.leaseRenewDeadline())
                        .withRetryPeriod(settings.leaseRetryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                                leader -> {
                                    if (leader != null) {
                                        LOG.infof("self-managed TLS: %s holds the Lease %s", leader, settings.leaseName());
                                    }
                                }))
                        .build())
                .build()
                .start();
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
        CertificateSecret contents = CertificateSecret.parse(decode(secret.getData()));
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
            webhookInformer = watch(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                            .withName(settings.webhookConfiguration()).runnableInformer(settings.checkInterval().toMillis()),
                    unused -> submit(() -> scheduleCheck(Duration.ZERO)), "MutatingWebhookConfiguration " + settings.webhookConfiguration());
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
            Secret secret = client.secrets().inNamespace(settings.namespace()).withName(settings.secretName()).get();
            MutatingWebhookConfiguration webhook = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName(settings.webhookConfiguration()).get();
            CertificateSecret current = secret == null ? CertificateSecret.empty() : CertificateSecret.parse(decode(secret.getData()));
            RotationPlan plan = planner.plan(current, webhook == null ? List.of() : trustedBy(webhook));
            plan.changes().forEach(change -> LOG.infof("self-managed TLS: %s", change));
            if (!leading) {
                return;
            }
            patchCaBundle(webhook, plan.caBundle());
            if (plan.secretChanged()) {
                writeSecret(secret, plan.secretData());
            }
            Instant now = clock.instant();
            if (plan.nextEvent().isPresent() && Duration.between(now, plan.nextEvent().get()).compareTo(next) < 0) {
                next = Duration.between(now, plan.nextEvent().get());
            }
        } catch (KubernetesClientException e) {
            next = RETRY_AFTER_ERROR.compareTo(settings.checkInterval()) < 0 ? RETRY_AFTER_ERROR : settings.checkInterval();
            LOG.warnf("self-managed TLS: %s; retrying in %s", rootMessage(e), RotationPolicy.format(next));
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

    private void patchCaBundle(MutatingWebhookConfiguration webhook, List<X509Certificate> bundle) {
        if (webhook == null) {
            if (!warnedNoWebhookConfiguration) {
                LOG.warnf("self-managed TLS: MutatingWebhookConfiguration %s not found; its caBundle is set as soon as it exists",
                        settings.webhookConfiguration());
                warnedNoWebhookConfiguration = true;
            }
            return;
        }
        warnedNoWebhookConfiguration = false;
        List<MutatingWebhook> webhooks = webhook.getWebhooks() == null ? List.of() : webhook.getWebhooks();
        boolean upToDate = webhooks.stream().allMatch(hook -> RotationPlanner.sameCertificates(certificates(hook), bundle));
        if (upToDate) {
            return;
        }
        String caBundle = Base64.getEncoder().encodeToString(Pem.encode(bundle).getBytes(StandardCharsets.US_ASCII));
        ArrayNode patch = JSON.createArrayNode();
        patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", webhook.getMetadata().getResourceVersion());
        for (int i = 0; i < webhooks.size(); i++) {
            patch.addObject().put("op", "add").put("path", "/webhooks/" + i + "/clientConfig/caBundle").put("value", caBundle);
        }
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(settings.webhookConfiguration())
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
        LOG.infof("self-managed TLS: set the caBundle of %s (%d webhooks) to %s", settings.webhookConfiguration(), webhooks.size(),
                bundle.stream().map(ca -> ca.getSubjectX500Principal().getName()).toList());
    }

    private void writeSecret(Secret existing, Map<String, String> pemData) {
        Map<String, String> data = new LinkedHashMap<>();
        pemData.forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.US_ASCII))));
        if (existing == null) {
            client.secrets().inNamespace(settings.namespace()).resource(new SecretBuilder()
                    .withNewMetadata()
                    .withName(settings.secretName())
                    .withNamespace(settings.namespace())
                    .addToLabels("app.kubernetes.io/name", "first-ordinal")
                    .addToLabels("app.kubernetes.io/component", "webhook-tls")
                    .addToLabels("app.kubernetes.io/managed-by", "first-ordinal")
                    .endMetadata()
                    .withType("kubernetes.io/tls")
                    .withData(data)
                    .build()).create();
            LOG.infof("self-managed TLS: created Secret %s/%s", settings.namespace(), settings.secretName());
        } else {
            client.secrets().inNamespace(settings.namespace()).resource(new SecretBuilder(existing)
                    .withData(data)
                    .withStringData(null)
                    .build()).update();
            LOG.infof("self-managed TLS: updated Secret %s/%s", settings.namespace(), settings.secretName());
        }
    }

    /** The CAs every webhook of the configuration trusts (what any API server call may rely on). */
    static List<X509Certificate> trustedBy(MutatingWebhookConfiguration configuration) {
        List<MutatingWebhook> webhooks = configuration.getWebhooks() == null ? List.of() : configuration.getWebhooks();
        if (webhooks.isEmpty()) {
            return List.of();
        }
        List<X509Certificate> common = new ArrayList<>(certificates(webhooks.get(0)));
        for (MutatingWebhook hook : webhooks.subList(1, webhooks.size())) {
            List<X509Certificate> theirs = certificates(hook);
            common.removeIf(ca -> !theirs.contains(ca));
        }
        return common;
    }

    private static List<X509Certificate> certificates(MutatingWebhook hook) {
        String caBundle = hook.getClientConfig() == null ? null : hook.getClientConfig().getCaBundle();
        if (caBundle == null || caBundle.isBlank()) {
            return List.of();
        }
        try {
            return Pem.certificates(new String(Base64.getDecoder().decode(caBundle.trim()), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> pem = new LinkedHashMap<>();
        if (data != null) {
            data.forEach((key, value) -> {
                try {
                    pem.put(key, new String(Base64.getDecoder().decode(value == null ? "" : value.trim()), StandardCharsets.US_ASCII));
                } catch (IllegalArgumentException e) {
                    pem.put(key, "");
                }
            });
        }
        return pem;
    }

    private static String oneLine(KubernetesClientException e) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + String.valueOf(message).replaceAll("\\s+", " ");
    }

    /**
     * Starts {@code informer} without waiting: an API server that cannot be reached, or RBAC that
     * forbids the watch, is logged in one line and retried, and the pod stays unready meanwhile
     * instead of crash-looping.
     */
    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer,
                                                                                              Consumer<T> changed, String what) {
        informer.addEventHandler(handler(changed));
        informer.exceptionHandler((started, error) -> {
            if (!closed) {
                LOG.warnf("self-managed TLS: cannot watch %s (%s); retrying", what, rootMessage(error));
            }
            return !closed;
        });
        informer.start();
        return informer;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (error instanceof KubernetesClientException kubernetes && kubernetes.getCode() > 0) {
            return oneLine(kubernetes);
        }
        return String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                changed.accept(object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                changed.accept(newObject);
            }

            @Override
            public void onDelete(T object, boolean deletedFinalStateUnknown) {
                changed.accept(null);
            }
        };
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
