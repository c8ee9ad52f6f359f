package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The informer's item store, keeping of each StatefulSet only what the webhook reads: its key
 * ({@code namespace/name}), uid, resourceVersion (the informer compares it), {@code spec.ordinals}
 * and {@code spec.replicas}. A StatefulSet's pod template is most of its size; dropping it keeps
 * tens of thousands of cached sets in a few megabytes.
 */
final class SlimStatefulSetStore implements ItemStore<StatefulSet> {

    private final ConcurrentHashMap<String, StatefulSet> items = new ConcurrentHashMap<>();

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

    @Override
    public String getKey(StatefulSet obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public StatefulSet put(String key, StatefulSet obj) {
        return items.put(key, slim(obj));
    }

    @Override
    public StatefulSet remove(String key) {
        return items.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<StatefulSet> values() {
        return items.values().stream();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public StatefulSet get(String key) {
        return items.get(key);
    }
}
