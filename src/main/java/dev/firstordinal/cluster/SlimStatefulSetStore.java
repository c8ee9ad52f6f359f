package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An informer's item store that keeps of each StatefulSet only {@link StatefulSets#essentials}: its
 * key ({@code namespace/name}), uid, resourceVersion (the informer compares it), ordinals, replicas,
 * selector, the template's skip annotation and the claim templates' names. A StatefulSet's pod
 * template is most of its size; dropping it keeps tens of thousands of cached sets in a few
 * megabytes (docs/operations-limits.md gives the measured bytes per set). Used by the webhook's
 * {@link StatefulSetCache} and by policy-sync's watch.
 */
public final class SlimStatefulSetStore implements ItemStore<StatefulSet> {

    private final ConcurrentHashMap<String, StatefulSet> items = new ConcurrentHashMap<>();

    static String key(String namespace, String name) {
        return Cache.namespaceKeyFunc(namespace, name);
    }

    static StatefulSet slim(StatefulSet full) {
        return StatefulSets.essentials(full);
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
