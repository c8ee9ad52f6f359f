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
 * update, {@code get}, {@code byIndex}, {@link #unpacked()}) see the unpacked copy, which must keep name, namespace
 * and resourceVersion.
 *
 * <p>{@link #values()} is different: fabric8 collects it into one list of every object the store holds, at the end of
 * every list and relist (its {@code ProcessorStore.syncList}, which only needs the keys, and the delete notification
 * of a key the list no longer has) and in {@code getStore().list()}. With whole unpacked copies that list was the
 * peak of a relist: 30,000 pods unpacked at once are ~74 MB (~2.5 KB each), most of the image's heap (issue #31). So
 * {@code values()} hands out {@code listed}'s lighter copy, and a reader that needs the unpacked objects streams
 * {@link #unpacked()}, which builds them one at a time.
 *
 * <p>For the same reason the informer hands each object of its first list to its handlers as it arrives
 * ({@link #isFullState()}), so handlers must not take the store as complete before the informer has synced.
 *
 * @param <T> the client object
 * @param <P> what is kept of it
 */
public class PackedStore<T extends HasMetadata, P> implements ItemStore<T> {

    private final ConcurrentHashMap<String, P> items = new ConcurrentHashMap<>();
    private final Function<T, P> pack;
    private final Function<P, T> unpack;
    private final Function<P, T> listed;

    /** A store whose {@link #values()} are the unpacked copies: for an {@code unpack} that builds nothing (a kept object). */
    public PackedStore(Function<T, P> pack, Function<P, T> unpack) {
        this(pack, unpack, unpack);
    }

    /**
     * @param listed what {@link #values()} hands out of each object: must keep name, namespace, resourceVersion and
     *               what the informer's indexers and delete handlers read
     */
    public PackedStore(Function<T, P> pack, Function<P, T> unpack, Function<P, T> listed) {
        this.pack = pack;
        this.unpack = unpack;
        this.listed = listed;
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

    /** Every object's {@code listed} copy: what the informer itself lists (see the class comment). */
    @Override
    public Stream<T> values() {
        return items.values().stream().map(listed);
    }

    /** Every object's unpacked copy, each built when the stream reaches it: do not collect them all. */
    public Stream<T> unpacked() {
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

    /**
     * False: the handlers get each object of the informer's first list as it arrives, the object as received. fabric8
     * otherwise defers those adds to the end of the first list and then reads every object back with {@link #get}:
     * one unpacked copy of every object, all queued for the handlers at once (30,000 pods unpacked are ~74 MB; the
     * webhook started over such a fleet would run out of the image's heap, issue #31).
     */
    @Override
    public boolean isFullState() {
        return false;
    }

    private T unpackOrNull(P packed) {
        return packed == null ? null : unpack.apply(packed);
    }
}
