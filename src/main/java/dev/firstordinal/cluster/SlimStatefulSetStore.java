package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The informer's item store, keeping of each StatefulSet only what the webhook reads: its key
 * ({@code namespace/name}), uid, resourceVersion (the informer compares it), {@code spec.ordinals}
 * and {@code spec.replicas}. A StatefulSet's pod template is most of its size; dropping it keeps
 * tens of thousands of cached sets in a few megabytes.
 */
final class SlimStatefulSetStore extends SlimStore<StatefulSet> {

    SlimStatefulSetStore() {
        super(SlimStatefulSetStore::slim);
    }

    static String key(String namespace, String name) {
        return Cache.namespaceKeyFunc(namespace, name);
    }

    static StatefulSet slim(StatefulSet full) {
        if (full == null) {
            return null;
        }
        StatefulSetBuilder slim = new StatefulSetBuilder()
                .withNewMetadata()
                .withName(full.getMetadata().getName())
                .withNamespace(full.getMetadata().getNamespace())
                .withUid(full.getMetadata().getUid())
                .withResourceVersion(full.getMetadata().getResourceVersion())
                .endMetadata();
        if (full.getSpec() != null) {
            // replicas too: with the start it tells a cached set that lags the API server (StartOrdinal#ruledOut)
            slim.withNewSpec().withOrdinals(full.getSpec().getOrdinals()).withReplicas(full.getSpec().getReplicas()).endSpec();
        }
        return slim.build();
    }
}
