package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * An informer item store that keeps of each object only what {@code slim} copies out of it, keyed
 * {@code namespace/name}: an informer of large objects (StatefulSets with their templates) then
 * costs the memory of the few fields its reader needs. The copy itself is handed out: it must not be changed.
 */
public class SlimStore<T extends HasMetadata> extends PackedStore<T, T> {

    /** @param slim the copy kept of an object; must keep name, namespace and resourceVersion */
    public SlimStore(UnaryOperator<T> slim) {
        super(slim, Function.identity());
    }

    /** True: {@link #get} hands out the kept copy, so fabric8 may defer the first list's adds to its end without building copies. */
    @Override
    public boolean isFullState() {
        return true;
    }
}
