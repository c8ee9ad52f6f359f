package dev.firstordinal.audit;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.List;
import java.util.Set;

/**
 * One StatefulSet as read from the cluster, with what the coverage check needs.
 *
 * @param statefulSet the StatefulSet
 * @param pods        the pods it controls (controller ownerReference), in any order
 * @param claims      names of the PersistentVolumeClaims that exist in its namespace: at least those its
 *                    first ordinal uses ({@link ClusterReader} gives only those)
 */
public record ShardSnapshot(StatefulSet statefulSet, List<Pod> pods, Set<String> claims) {

    public ShardSnapshot {
        pods = List.copyOf(pods);
        claims = Set.copyOf(claims);
    }

    public String namespace() {
        return statefulSet.getMetadata().getNamespace();
    }

    public String name() {
        return statefulSet.getMetadata().getName();
    }
}
