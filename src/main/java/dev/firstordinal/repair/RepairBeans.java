package dev.firstordinal.repair;

import dev.firstordinal.cluster.LeaseElection;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.cluster.NoCluster;
import dev.firstordinal.cluster.PodIdentity;
import dev.firstordinal.cluster.StatefulSetCache;
import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Starts the {@link Repairer} with the server when {@code first-ordinal.repair.enabled} (the default). */
@Singleton
public class RepairBeans {

    private static final Logger LOG = Logger.getLogger(RepairBeans.class);
    static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
    static final Duration COALESCE = Duration.ofMillis(200);
    static final Duration RETRY = Duration.ofSeconds(5);

    private Repairer repairer;

    void start(@Observes StartupEvent event, FirstOrdinalConfig config, Instance<KubernetesClient> clients, FirstOrdinalRule rule,
               StartOrdinalLookup starts, MeterRegistry registry) {
        if (!config.repair().enabled() || config.exitAfterStart()) {
            if (NoCluster.alreadySaid()) {
                return;
            }
            LOG.info("repair disabled (first-ordinal.repair.enabled=false): pods admission missed stay unmarked until `audit --fix`");
            return;
        }
        if (config.repair().resync().toMillis() < 1000) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.repair.resync must be at least 1s, not "
                    + config.repair().resync());
        }
        KubernetesClient client = clients.get();
        NamespaceLabel label;
        try {
            label = NamespaceLabel.parse(config.namespaceLabel());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.namespace-label: " + e.getMessage(), e);
        }
        String namespace;
        try {
            namespace = PodIdentity.namespace(Optional.empty(), System.getenv(), PodIdentity.SERVICE_ACCOUNT_NAMESPACE,
                    client::getNamespace);
        } catch (IllegalStateException e) {
            // Not in a cluster (no service account, no kubeconfig namespace): nothing to repair, and no Lease to hold.
            LOG.warn("repair off: the webhook cannot tell its own namespace (no POD_NAMESPACE, service account or kubeconfig "
                    + "namespace), where its Lease lives; set POD_NAMESPACE, or first-ordinal.repair.enabled=false to say so");
            return;
        }
        Set<String> excluded = new HashSet<>(config.repair().excludedNamespaces());
        excluded.add(namespace);
        LeaseElection.Lease lease = new LeaseElection.Lease(namespace, config.repair().leaseName(), PodIdentity.identity(System.getenv()),
                LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
        repairer = new Repairer(client, rule, cachedOnly(starts),
                new Repairer.Settings(lease, label, config.namespaces().orElse(List.of()), excluded, config.repair().resync(), COALESCE, RETRY),
                new RepairMetrics(registry), Clock.systemUTC());
        repairer.start();
    }

    /** The cache's answers for the repairer's first look at a pod; without a cache every pod is looked at. */
    private static StartOrdinalLookup cachedOnly(StartOrdinalLookup starts) {
        if (starts instanceof StatefulSetCache) {
            return starts;
        }
        return new StartOrdinalLookup() {
            @Override
            public StartOrdinal startOrdinal(String namespace, String statefulSet) {
                return starts.startOrdinal(namespace, statefulSet);
            }

            @Override
            public Optional<StartOrdinal> withoutBlocking(String namespace, String statefulSet) {
                return Optional.empty();
            }
        };
    }

    void stop(@Observes ShutdownEvent event) {
        if (repairer != null) {
            repairer.close();
        }
    }
}
