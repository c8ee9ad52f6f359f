package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer item store that keeps of each object only what {@code slim} copies out of it, keyed
 * {@code namespace/name}: an informer of large objects (pods, StatefulSets with their templates) then
 * costs the memory of the few fields its reader needs.
 */
public class SlimStore<T extends HasMetadata> implements ItemStore<T> {

    private final ConcurrentHashMap<String, T> items = new ConcurrentHashMap<>();
    private final UnaryOperator<T> slim;

    /** @param slim the copy kept of an object; must keep name, namespace and resourceVersion */
    public SlimStore(UnaryOperator<T> slim) {
        this.slim = slim;
    }

    @Override
    public String getKey(T obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public T put(String key, T obj) {
        return items.put(key, slim.apply(obj));
    }

    @Override
    public T remove(String key) {
        return items.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return items.values().stream();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public T get(String key) {
        return items.get(key);
    }
}
