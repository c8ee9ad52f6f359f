package dev.firstordinal.repair;

import dev.firstordinal.cluster.PackedStore;
import dev.firstordinal.cluster.Relists;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StatefulSetOwner;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The {@link Repairer}'s watches while it holds the Lease: the namespaces (their labels say which opt in) and the
 * StatefulSet pods of every namespace, or of the given ones, each pod kept as a {@link PodRecord} and indexed by its
 * controlling set. Started without waiting for the first lists; {@link #hasSynced} says when they are done.
 */
final class RepairWatches implements AutoCloseable {

    /** Pods per page of the watch's lists: a Bitnami-sized pod is ~7 KB of JSON, ~26 KB parsed. */
    static final long POD_PAGE = 100;
    private static final String OWNER_INDEX = "first-ordinal-owner";

    private final Repairer.Settings settings;
    private final SharedIndexInformer<Namespace> namespaces;
    private final List<SharedIndexInformer<Pod>> pods = new ArrayList<>();
    /** The pod informers' stores, read one pod at a time: {@code getStore().list()} gives only {@link PodRecord#listed}. */
    private final List<PackedStore<Pod, PodRecord>> podStores = new ArrayList<>();

    private RepairWatches(Repairer.Settings settings, SharedIndexInformer<Namespace> namespaces) {
        this.settings = settings;
        this.namespaces = namespaces;
    }

    /**
     * @param podChanged       a pod added, updated (a new resourceVersion) or deleted ({@code true})
     * @param namespaceChanged a namespace added, or its labels changed
     * @param failed           the informers' exception handler
     */
    static RepairWatches start(KubernetesClient client, Repairer.Settings settings, MarkingPolicy policy,
                               BiConsumer<Pod, Boolean> podChanged, Consumer<Namespace> namespaceChanged, ExceptionHandler failed) {
        RepairWatches watches = new RepairWatches(settings, client.namespaces().runnableInformer(0));
        watches.namespaces.addEventHandler(handler(ns -> ns.getMetadata().getLabels(), namespaceChanged));
        watches.namespaces.exceptionHandler(failed);
        Relists.add(watches.namespaces);
        watches.namespaces.start();
        List<String> scopes = settings.namespaces().isEmpty() ? Collections.singletonList(null) : settings.namespaces();
        for (String scope : scopes) {
            var pods = scope == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(scope);
            SharedIndexInformer<Pod> informer = pods.withLabel(StatefulSets.POD_NAME_LABEL).withLimit(POD_PAGE).runnableInformer(0);
            informer.removeNamespaceIndex();
            informer.addIndexers(Map.of(OWNER_INDEX, pod -> StatefulSetOwner.controllerOf(pod.getMetadata())
                    .map(owner -> List.of(Repairer.key(pod.getMetadata().getNamespace(), owner.name()))).orElse(List.of())));
            PackedStore<Pod, PodRecord> store = PodRecord.store(policy);
            informer.itemStore(store);
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Pod pod) {
                    podChanged.accept(pod, false);
                }

                @Override
                public void onUpdate(Pod before, Pod pod) {
                    if (!Objects.equals(before.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
                        podChanged.accept(pod, false);
                    }
                }

                @Override
                public void onDelete(Pod pod, boolean finalStateUnknown) {
                    podChanged.accept(pod, true);
                }
            });
            informer.exceptionHandler(failed);
            watches.pods.add(informer);
            watches.podStores.add(store);
            Relists.add(informer);
            informer.start();
        }
        return watches;
    }

    /** Whether every watch has completed its first list. */
    boolean hasSynced() {
        return namespaces.hasSynced() && pods.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** Whether the namespace, as last seen, carries the opt-in label. */
    boolean labelled(String namespace) {
        Namespace ns = namespaces.getStore().getByKey(namespace);
        return ns != null && settings.label().matches(ns.getMetadata().getLabels());
    }

    /** The pods whose controller is the set {@code namespace/name}. */
    List<Pod> podsOf(String setKey) {
        List<Pod> owned = new ArrayList<>();
        pods.forEach(informer -> owned.addAll(informer.getIndexer().byIndex(OWNER_INDEX, setKey)));
        return owned;
    }

    /** The pods the watches hold. */
    int podCount() {
        return podStores.stream().mapToInt(PackedStore::size).sum();
    }

    /** Every pod, unpacked one at a time (a list of them all unpacked would be the size of the whole fleet's pods). */
    void eachPod(Consumer<Pod> action) {
        podStores.forEach(store -> store.unpacked().forEach(action));
    }

    void eachPodIn(String namespace, Consumer<Pod> action) {
        podStores.forEach(store -> store.unpacked()
                .filter(pod -> namespace.equals(pod.getMetadata().getNamespace()))
                .forEach(action));
    }

    @Override
    public void close() {
        pods.forEach(RepairWatches::close);
        close(namespaces);
    }

    private static void close(SharedIndexInformer<?> informer) {
        Relists.remove(informer);
        informer.close();
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> ResourceEventHandler<T> handler(
            java.util.function.Function<T, Object> watched, java.util.function.Consumer<T> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.accept(obj);
            }

            @Override
            public void onUpdate(T before, T after) {
                if (!Objects.equals(watched.apply(before), watched.apply(after))) {
                    changed.accept(after);
                }
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                // a deleted namespace takes its pods along
            }
        };
    }

}
