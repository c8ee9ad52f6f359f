package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An informer item store that keeps each object packed ({@code pack}: a compact record of the few fields its
 * reader needs) and hands out {@code unpack}'s client object, built anew on every read, keyed {@code namespace/name}.
 * The informer's indexes and handlers see the whole object it received; its readers (the old object of an
 * update, {@code list}, {@code byIndex}) see the unpacked copy, which must keep name, namespace and resourceVersion.
 *
 * @param <T> the client object
 * @param <P> what is kept of it
 */
public class PackedStore<T extends HasMetadata, P> implements ItemStore<T> {

    private final ConcurrentHashMap<String, P> items = new ConcurrentHashMap<>();
    private final Function<T, P> pack;
    private final Function<P, T> unpack;

    public PackedStore(Function<T, P> pack, Function<P, T> unpack) {
        this.pack = pack;
        this.unpack = unpack;
    }

    @Override
    public String getKey(T obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public T put(String key, T obj) {
        return unpackOrNull(items.put(key, pack.apply(obj)));
    }

    @Override
    public T remove(String key) {
        return unpackOrNull(items.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return items.values().stream().map(unpack);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public T get(String key) {
        return unpackOrNull(items.get(key));
    }

    private T unpackOrNull(P packed) {
        return packed == null ? null : unpack.apply(packed);
    }
}
