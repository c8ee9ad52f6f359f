package dev.firstordinal.ordinal;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.List;
import java.util.Optional;

/**
 * The StatefulSet that controls a pod: the ownerReference with {@code apiVersion: apps/v1},
 * {@code kind: StatefulSet} and {@code controller: true}. A StatefulSet owner that is not the
 * controller does not count: the pod's name and ordinal were not chosen by that set.
 */
public record StatefulSetOwner(String name) {

    static final String API_VERSION = "apps/v1";
    static final String KIND = "StatefulSet";

    public static Optional<StatefulSetOwner> controllerOf(ObjectMeta metadata) {
        List<OwnerReference> owners = metadata.getOwnerReferences();
        if (owners == null) {
            return Optional.empty();
        }
        for (OwnerReference owner : owners) {
            if (owner != null
                    && Boolean.TRUE.equals(owner.getController())
                    && API_VERSION.equals(owner.getApiVersion())
                    && KIND.equals(owner.getKind())
                    && owner.getName() != null
                    && !owner.getName().isEmpty()) {
                return Optional.of(new StatefulSetOwner(owner.getName()));
            }
        }
        return Optional.empty();
    }
}
