package dev.firstordinal.repair;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The repairer's pod informer store, keeping of each pod only what {@link RepairPlan} reads: its
 * identity, resourceVersion (the informer compares it, the repair's patch tests it), labels,
 * annotations, ownerReferences, creation and deletion timestamps, and each container's name and image
 * (the hook's container is chosen from them). No managedFields, no spec beyond that, no status.
 */
final class SlimPodStore implements ItemStore<Pod> {

    private final ConcurrentHashMap<String, Pod> items = new ConcurrentHashMap<>();

    static Pod slim(Pod full) {
        if (full == null) {
            return null;
        }
        ObjectMeta meta = full.getMetadata();
        List<Container> containers = full.getSpec() == null || full.getSpec().getContainers() == null ? List.of()
                : full.getSpec().getContainers().stream()
                .map(c -> new ContainerBuilder().withName(c.getName()).withImage(c.getImage()).build()).toList();
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(meta.getName())
                        .withNamespace(meta.getNamespace())
                        .withUid(meta.getUid())
                        .withResourceVersion(meta.getResourceVersion())
                        .withLabels(meta.getLabels())
                        .withAnnotations(meta.getAnnotations())
                        .withOwnerReferences(meta.getOwnerReferences())
                        .withCreationTimestamp(meta.getCreationTimestamp())
                        .withDeletionTimestamp(meta.getDeletionTimestamp())
                        .build())
                .withNewSpec().withContainers(containers).endSpec()
                .build();
    }

    @Override
    public String getKey(Pod obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public Pod put(String key, Pod obj) {
        return items.put(key, slim(obj));
    }

    @Override
    public Pod remove(String key) {
        return items.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<Pod> values() {
        return items.values().stream();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public Pod get(String key) {
        return items.get(key);
    }
}
