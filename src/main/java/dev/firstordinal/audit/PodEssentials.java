package dev.firstordinal.audit;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;

/**
 * A copy of a pod holding only what the coverage check and backfill read, so that a coverage run
 * keeps a few hundred bytes per pod instead of the whole object (spec, status, managedFields).
 * Pure.
 *
 * <ul>
 *   <li>Every pod: name, namespace, uid, resourceVersion, deletionTimestamp, labels, annotations and
 *       ownerReferences (the ordinal, the marks, the {@code test} of a backfill patch).</li>
 *   <li>A first-ordinal pod also keeps its containers' names and images (the hook container
 *       choice) and its volumes' claim names (the PVCS column); other ordinals keep no spec.</li>
 * </ul>
 */
public final class PodEssentials {

    private PodEssentials() {
    }

    public static Pod of(Pod full, boolean firstOrdinal) {
        ObjectMeta from = full.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(from.getName());
        meta.setNamespace(from.getNamespace());
        meta.setUid(from.getUid());
        meta.setResourceVersion(from.getResourceVersion());
        meta.setDeletionTimestamp(from.getDeletionTimestamp());
        meta.setLabels(from.getLabels());
        meta.setAnnotations(from.getAnnotations());
        meta.setOwnerReferences(from.getOwnerReferences());
        // fabric8 allocates empty collections for every object: a few hundred bytes per pod.
        meta.setFinalizers(null);
        meta.setManagedFields(null);
        meta.setAdditionalProperties(null);
        Pod pod = new Pod();
        pod.setAdditionalProperties(null);
        pod.setMetadata(meta);
        if (firstOrdinal && full.getSpec() != null) {
            PodSpec spec = new PodSpec();
            if (full.getSpec().getContainers() != null) {
                for (Container container : full.getSpec().getContainers()) {
                    Container essential = new Container();
                    essential.setName(container.getName());
                    essential.setImage(container.getImage());
                    spec.getContainers().add(essential);
                }
            }
            if (full.getSpec().getVolumes() != null) {
                for (Volume volume : full.getSpec().getVolumes()) {
                    if (volume.getPersistentVolumeClaim() != null) {
                        Volume essential = new Volume();
                        essential.setName(volume.getName());
                        essential.setPersistentVolumeClaim(new PersistentVolumeClaimVolumeSource(
                                volume.getPersistentVolumeClaim().getClaimName(), null));
                        spec.getVolumes().add(essential);
                    }
                }
            }
            pod.setSpec(spec);
        }
        return pod;
    }
}
