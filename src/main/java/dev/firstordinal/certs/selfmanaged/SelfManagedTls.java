package dev.firstordinal.certs.selfmanaged;

import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.ServiceDnsNames;
import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.certs.rotation.RotationPlanner;
import dev.firstordinal.certs.rotation.RotationPolicy;
import dev.firstordinal.certs.serving.ServingKeyManager;
import dev.firstordinal.cluster.PodIdentity;
import dev.firstordinal.config.FirstOrdinalConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Turns self-managed mode on when {@code first-ordinal.tls.mode=self-managed}: builds the rotation
 * policy from configuration (invalid settings stop the start with a one-line message) and serves
 * every pair the Secret gets through the {@link ServingKeyManager}.
 */
@ApplicationScoped
public class SelfManagedTls {

    private final FirstOrdinalConfig config;
    private final Instance<KubernetesClient> client;
    private final ServingKeyManager keyManager;
    private SelfManagedCertificates certificates;

    SelfManagedTls(FirstOrdinalConfig config, Instance<KubernetesClient> client, ServingKeyManager keyManager) {
        this.config = config;
        this.client = client;
        this.keyManager = keyManager;
    }

    /** Whether the webhook manages its own certificates. */
    public boolean enabled() {
        return config.tls().mode() == FirstOrdinalConfig.Tls.Mode.SELF_MANAGED;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled()) {
            return;
        }
        FirstOrdinalConfig.Tls tls = config.tls();
        KubernetesClient kubernetes = client.get();
        String namespace = PodIdentity.namespace(tls.namespace(), System.getenv(), PodIdentity.SERVICE_ACCOUNT_NAMESPACE,
                kubernetes::getNamespace);
        certificates = new SelfManagedCertificates(kubernetes,
                new SelfManagedCertificates.Settings(namespace, tls.secretName(), tls.webhookConfiguration(), tls.leaseName(),
                        PodIdentity.identity(System.getenv()), tls.checkInterval(), tls.leaseDuration(), tls.leaseRenewDeadline(),
                        tls.leaseRetryPeriod()),
                new RotationPlanner(policy(tls, namespace), Clock.systemUTC()), Clock.systemUTC(), keyManager::install);
        certificates.start();
    }

    static RotationPolicy policy(FirstOrdinalConfig.Tls tls, String namespace) {
        try {
            return new RotationPolicy(ServiceDnsNames.of(tls.service(), namespace, tls.dnsNames().orElse(List.of())),
                    KeyType.fromOption(tls.keyType()), tls.validity(), tls.caValidity(), tls.renewBefore(), tls.caRenewBefore(),
                    tls.caPropagationDelay());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid first-ordinal configuration: " + e.getMessage(), e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (certificates != null) {
            certificates.close();
        }
    }

    /** The pair taken from the Secret, once there is one: until then the server presents a temporary certificate. */
    public Optional<ServingPair> served() {
        return certificates == null ? Optional.empty() : certificates.served();
    }

    /** Whether this replica holds the Lease and writes the Secret. */
    public boolean leader() {
        return certificates != null && certificates.isLeader();
    }
}
