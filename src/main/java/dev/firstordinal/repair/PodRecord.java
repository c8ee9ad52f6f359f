package dev.firstordinal.repair;

import dev.firstordinal.audit.SharedValues;
import dev.firstordinal.cluster.PackedStore;
import dev.firstordinal.ordinal.MarkingPolicy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the repairer's pod informer keeps of each pod (in a {@link dev.firstordinal.cluster.PackedStore}): only
 * what {@link RepairPlan} reads, in plain strings and arrays rather than client objects: its identity, resourceVersion
 * (the informer compares it, the repair's patch tests it), labels, annotations, its controller's owner reference,
 * creation and deletion timestamps, and each container's name and image (the hook's container is chosen from them).
 *
 * <p>Values are shared, not copied per pod: a hook annotation whose value is what first-ordinal writes (the
 * command alone is ~8.7 KB) is kept as the one instance {@link SharedValues} holds; label and annotation
 * keys, container names and images, the owner's kind and apiVersion are interned; a label equal to the pod's name
 * (the pod-name label) is that name. {@link #pod()} gives back a pod with the same values, so the decision and the
 * patch's {@code test} operations see exactly what the API server sent.
 */
public final class PodRecord {

    private final String name;
    private final String namespace;
    private final String uid;
    private final String resourceVersion;
    private final String created;
    private final String deleting;
    /** key, value, key, value…; null when the pod has none (absent is not empty: a patch adds a whole map to an absent one). */
    private final String[] labels;
    private final String[] annotations;
    /** apiVersion, kind, name, uid of the controller owner reference; null without one. */
    private final String[] controller;
    /** name, image, name, image… */
    private final String[] containers;

    private PodRecord(Pod pod, SharedValues shared) {
        ObjectMeta meta = pod.getMetadata();
        name = meta.getName();
        namespace = intern(meta.getNamespace());
        uid = meta.getUid();
        resourceVersion = meta.getResourceVersion();
        created = meta.getCreationTimestamp();
        deleting = meta.getDeletionTimestamp();
        labels = pairs(meta.getLabels(), shared, name);
        annotations = pairs(meta.getAnnotations(), shared, name);
        controller = meta.getOwnerReferences() == null ? null : meta.getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .findFirst()
                .map(o -> new String[]{intern(o.getApiVersion()), intern(o.getKind()), o.getName(), o.getUid()})
                .orElse(null);
        List<Container> all = pod.getSpec() == null || pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        containers = new String[all.size() * 2];
        for (int i = 0; i < all.size(); i++) {
            containers[2 * i] = intern(all.get(i).getName());
            containers[2 * i + 1] = intern(all.get(i).getImage());
        }
    }

    /**
     * The packer for one marking policy: its label and hook annotation values are kept as the policy's own instances.
     * Null in, null out.
     */
    public static java.util.function.Function<Pod, PodRecord> packer(MarkingPolicy policy) {
        SharedValues shared = new SharedValues(policy);
        return pod -> pod == null || pod.getMetadata() == null ? null : new PodRecord(pod, shared);
    }

    /**
     * The repairer's pod store for one marking policy: each pod kept as a record, read back as {@link #pod()}, listed by
     * the informer as {@link #listed()}.
     */
    public static PackedStore<Pod, PodRecord> store(MarkingPolicy policy) {
        return new PackedStore<>(packer(policy), PodRecord::pod, PodRecord::listed);
    }

    /** A new client pod with the kept values (never shared: a reader may change it). */
    public Pod pod() {
        Pod pod = listed();
        ObjectMeta meta = pod.getMetadata();
        meta.setCreationTimestamp(created);
        meta.setDeletionTimestamp(deleting);
        meta.setLabels(map(labels));
        meta.setAnnotations(map(annotations));
        PodSpec spec = new PodSpec();
        for (int i = 0; i < containers.length; i += 2) {
            Container container = new Container();
            container.setName(containers[i]);
            container.setImage(containers[i + 1]);
            spec.getContainers().add(container);
        }
        pod.setSpec(spec);
        return pod;
    }

    /**
     * A new client pod with only the pod's identity (name, namespace, uid), resourceVersion and controller owner
     * reference: what the informer lists of its store at the end of every relist ({@link
     * PackedStore#values()}), which is also what its owner index and its delete handler read.
     * A quarter of {@link #pod()}'s size: ~0.6 KB against ~2.5 KB (bench/MemoryPerObject).
     */
    public Pod listed() {
        ObjectMeta meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(namespace);
        meta.setUid(uid);
        meta.setResourceVersion(resourceVersion);
        List<OwnerReference> owners = new ArrayList<>();
        if (controller != null) {
            OwnerReference owner = new OwnerReference();
            owner.setApiVersion(controller[0]);
            owner.setKind(controller[1]);
            owner.setName(controller[2]);
            owner.setUid(controller[3]);
            owner.setController(true);
            owners.add(owner);
        }
        meta.setOwnerReferences(owners);
        Pod pod = new Pod();
        pod.setMetadata(meta);
        return pod;
    }

    private static String[] pairs(Map<String, String> map, SharedValues shared, String podName) {
        if (map == null) {
            return null;
        }
        String[] pairs = new String[map.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> entry : map.entrySet()) {
            String value = entry.getValue();
            pairs[i++] = intern(entry.getKey());
            pairs[i++] = podName != null && podName.equals(value) ? podName : shared.share(value);
        }
        return pairs;
    }

    private static Map<String, String> map(String[] pairs) {
        if (pairs == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static String intern(String value) {
        return value == null ? null : value.intern();
    }
}
