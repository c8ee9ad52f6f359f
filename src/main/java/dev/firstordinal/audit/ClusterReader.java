package dev.firstordinal.audit;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.StatefulSetOwner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads what the audit needs from the cluster: three lists per namespace (StatefulSets, pods,
 * PersistentVolumeClaims). RBAC: list on namespaces (for {@link #optedInNamespaces}), and list on
 * statefulsets.apps, pods and persistentvolumeclaims in the audited namespaces.
 */
public final class ClusterReader {

    private final KubernetesClient client;

    public ClusterReader(KubernetesClient client) {
        this.client = client;
    }

    /** The namespaces that carry the opt-in label, sorted by name. */
    public List<String> optedInNamespaces(NamespaceLabel label) {
        return names(client.namespaces().withLabel(label.key(), label.value()).list().getItems());
    }

    /**
     * The labels of each of these namespaces that exists (a list with a field selector per name, so
     * the audit's list-only RBAC suffices); empty when namespaces may not be listed (HTTP 403).
     */
    public Optional<Map<String, Map<String, String>>> namespaceLabels(List<String> names) {
        Map<String, Map<String, String>> found = new HashMap<>();
        try {
            for (String name : names) {
                client.namespaces().withField("metadata.name", name).list().getItems().forEach(n -> found.put(n.getMetadata().getName(),
                        n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
            }
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 403) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(found);
    }

    /** Every StatefulSet of these namespaces with its pods and the namespace's claims, sorted by namespace and name. */
    public List<ShardSnapshot> snapshots(List<String> namespaces) {
        List<ShardSnapshot> snapshots = new ArrayList<>();
        for (String namespace : namespaces) {
            snapshots.addAll(snapshots(namespace));
        }
        return snapshots;
    }

    private List<ShardSnapshot> snapshots(String namespace) {
        List<StatefulSet> sets = new ArrayList<>(client.apps().statefulSets().inNamespace(namespace).list().getItems());
        if (sets.isEmpty()) {
            return List.of();
        }
        sets.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        Map<String, List<Pod>> podsBySet = new HashMap<>();
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            Optional<StatefulSetOwner> owner = pod.getMetadata() == null ? Optional.empty() : StatefulSetOwner.controllerOf(pod.getMetadata());
            owner.ifPresent(o -> podsBySet.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(pod));
        }
        Set<String> claims = client.persistentVolumeClaims().inNamespace(namespace).list().getItems().stream()
                .map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
        return sets.stream()
                .map(set -> new ShardSnapshot(set, podsBySet.getOrDefault(set.getMetadata().getName(), List.of()), claims))
                .toList();
    }

    private static List<String> names(List<? extends HasMetadata> items) {
        return items.stream().map(i -> i.getMetadata().getName()).sorted().toList();
    }
}
