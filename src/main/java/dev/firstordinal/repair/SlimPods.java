package dev.firstordinal.repair;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import java.util.List;

/**
 * What the repairer's pod informer keeps of each pod (in a {@link dev.firstordinal.cluster.SlimStore}):
 * only what {@link RepairPlan} reads: its identity, resourceVersion (the informer compares it, the repair's patch tests it), labels,
 * annotations, ownerReferences, creation and deletion timestamps, and each container's name and image
 * (the hook's container is chosen from them). No managedFields, no spec beyond that, no status.
 */
final class SlimPods {

    private SlimPods() {
    }

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
}
