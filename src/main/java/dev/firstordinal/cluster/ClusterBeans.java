package dev.firstordinal.cluster;

import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Server mode's start ordinals: the informer-backed {@link StatefulSetCache}, started with the
 * application, or {@link StartOrdinalLookup#ZERO} when {@code first-ordinal.statefulset-cache.enabled=false}.
 * CLI modes start no Quarkus, hence no informer.
 */
@Singleton
public class ClusterBeans {

    private static final Logger LOG = Logger.getLogger(ClusterBeans.class);

    @Produces
    @Singleton
    StartOrdinalLookup startOrdinals(FirstOrdinalConfig config, Instance<KubernetesClient> client, MeterRegistry registry) {
        if (!config.statefulsetCache().enabled()) {
            if (NoCluster.alreadySaid()) {
                return StartOrdinalLookup.ZERO;
            }
            LOG.warn("StatefulSet cache disabled (first-ordinal.statefulset-cache.enabled=false): every StatefulSet is "
                    + "assumed to start at ordinal 0; a set with spec.ordinals.start gets the wrong pod marked");
            return StartOrdinalLookup.ZERO;
        }
        try {
            return new StatefulSetCache(client.get(), config.namespaces().orElse(List.of()),
                    config.statefulsetCache().getTimeout(), registry).start();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.statefulset-cache.get-timeout: "
                    + e.getMessage(), e);
        }
    }

    void close(@Disposes StartOrdinalLookup lookup) {
        if (lookup instanceof StatefulSetCache cache) {
            cache.close();
        }
    }

    /** Starts the informers with the application rather than on the first admission request. */
    void startWithApplication(@Observes StartupEvent event, StartOrdinalLookup lookup) {
        LOG.debugf("start ordinals from %s", lookup.getClass().getSimpleName());
    }
}
