package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer's item store that keeps of each StatefulSet only {@link StatefulSets#essentials}: its
 * key ({@code namespace/name}), uid, resourceVersion (the informer compares it), ordinals, replicas
 * (with the start they tell a cached set that lags the API server), selector, the template's skip
 * annotation and the claim templates' names. A StatefulSet's pod template is most of its size;
 * dropping it keeps tens of thousands of cached sets in a few megabytes (docs/operations-limits.md
 * gives the measured bytes per set). Used by the webhook's {@link StatefulSetCache} and by
 * policy-sync's watch.
 */
public final class SlimStatefulSetStore extends SlimStore<StatefulSet> {

    public SlimStatefulSetStore() {
        super(SlimStatefulSetStore::slim);
    }

    static String key(String namespace, String name) {
        return Cache.namespaceKeyFunc(namespace, name);
    }

    static StatefulSet slim(StatefulSet full) {
        return StatefulSets.essentials(full);
    }
}
