package dev.firstordinal.cluster;

import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.PodOrdinal;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What first-ordinal reads from a StatefulSet object, in one place, with the Kubernetes defaults
 * applied. Pure: no I/O. Used by the webhook's cache, label-self, audit/backfill and preview.
 */
public final class StatefulSets {

    /** Label the StatefulSet controller puts on each pod: its own name. */
    public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

    private StatefulSets() {
    }

    /**
     * A copy holding only what first-ordinal reads from a StatefulSet: namespace, name, uid,
     * resourceVersion, {@code spec.ordinals}, {@code spec.replicas}, {@code spec.selector}, the pod
     * template's {@value dev.firstordinal.ordinal.FirstOrdinalRule#SKIP_ANNOTATION} annotation and the
     * names of the claim templates. Every method of this class, the coverage check and backfill give
     * the same answer for it as for the whole object. The pod template (most of a StatefulSet's
     * size), status and managedFields are dropped, so that caches and the coverage's per-namespace
     * reads keep a few hundred bytes per set.
     */
    public static StatefulSet essentials(StatefulSet full) {
        if (full == null) {
            return null;
        }
        ObjectMeta from = full.getMetadata() == null ? new ObjectMeta() : full.getMetadata();
        StatefulSet slim = new StatefulSet();
        slim.setAdditionalProperties(null);
        slim.setMetadata(leanMetadata(from.getName(), from.getNamespace(), from.getUid(), from.getResourceVersion()));
        StatefulSetSpec spec = full.getSpec();
        if (spec != null) {
            StatefulSetSpec essential = new StatefulSetSpec();
            essential.setAdditionalProperties(null);
            essential.setOrdinals(spec.getOrdinals());
            essential.setReplicas(spec.getReplicas());
            if (spec.getSelector() != null) {
                LabelSelector selector = new LabelSelector();
                selector.setAdditionalProperties(null);
                selector.setMatchLabels(spec.getSelector().getMatchLabels());
                selector.setMatchExpressions(spec.getSelector().getMatchExpressions());
                essential.setSelector(selector);
            }
            String skip = spec.getTemplate() == null || spec.getTemplate().getMetadata() == null
                    || spec.getTemplate().getMetadata().getAnnotations() == null ? null
                    : spec.getTemplate().getMetadata().getAnnotations().get(FirstOrdinalRule.SKIP_ANNOTATION);
            if (skip != null) {
                essential.setTemplate(new PodTemplateSpecBuilder().withNewMetadata()
                        .withAnnotations(Map.of(FirstOrdinalRule.SKIP_ANNOTATION, skip)).endMetadata().build());
            }
            List<PersistentVolumeClaim> claims = new ArrayList<>();
            if (spec.getVolumeClaimTemplates() != null) {
                for (PersistentVolumeClaim template : spec.getVolumeClaimTemplates()) {
                    if (template.getMetadata() != null && template.getMetadata().getName() != null) {
                        PersistentVolumeClaim claim = new PersistentVolumeClaim();
                        claim.setAdditionalProperties(null);
                        claim.setMetadata(leanMetadata(template.getMetadata().getName(), null, null, null));
                        claims.add(claim);
                    }
                }
            }
            essential.setVolumeClaimTemplates(claims.isEmpty() ? null : List.copyOf(claims));
            slim.setSpec(essential);
        }
        return slim;
    }

    /** Metadata without the empty collections fabric8 allocates for every object (a few hundred bytes per set). */
    private static ObjectMeta leanMetadata(String name, String namespace, String uid, String resourceVersion) {
        ObjectMeta meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(namespace);
        meta.setUid(uid);
        meta.setResourceVersion(resourceVersion);
        meta.setAnnotations(null);
        meta.setLabels(null);
        meta.setFinalizers(null);
        meta.setManagedFields(null);
        meta.setOwnerReferences(null);
        meta.setAdditionalProperties(null);
        return meta;
    }

    /** {@code spec.ordinals.start}; 0 when unset (the Kubernetes default). */
    public static int startOrdinal(StatefulSet statefulSet) {
        StatefulSetSpec spec = statefulSet.getSpec();
        if (spec == null || spec.getOrdinals() == null || spec.getOrdinals().getStart() == null) {
            return 0;
        }
        return spec.getOrdinals().getStart();
    }

    /** {@code spec.replicas}; 1 when unset (the Kubernetes default). */
    public static int replicas(StatefulSet statefulSet) {
        StatefulSetSpec spec = statefulSet.getSpec();
        return spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
    }

    /**
     * Every label key the StatefulSet's selector refers to. {@code matchLabels} keys map to their
     * value; keys that only appear in {@code matchExpressions} map to the empty string. A pod
     * label with one of these keys must never be removed: the pod would stop matching its
     * StatefulSet and be orphaned (and replaced). Pass this map to
     * {@link dev.firstordinal.ordinal.Cleanup#of}.
     */
    public static Map<String, String> selectorLabels(StatefulSet statefulSet) {
        Map<String, String> keys = new LinkedHashMap<>();
        LabelSelector selector = statefulSet.getSpec() == null ? null : statefulSet.getSpec().getSelector();
        if (selector == null) {
            return keys;
        }
        if (selector.getMatchLabels() != null) {
            keys.putAll(selector.getMatchLabels());
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (requirement.getKey() != null) {
                    keys.putIfAbsent(requirement.getKey(), "");
                }
            }
        }
        return keys;
    }

    /** The name the controller gives the pod of an ordinal: {@code <statefulset>-<ordinal>}. */
    public static String podName(StatefulSet statefulSet, int ordinal) {
        return statefulSet.getMetadata().getName() + "-" + ordinal;
    }

    /**
     * The names of the PVCs the controller creates for an ordinal: {@code <claim template>-<pod name>}
     * for each {@code volumeClaimTemplate}.
     */
    public static List<String> claimNames(StatefulSet statefulSet, int ordinal) {
        List<String> names = new ArrayList<>();
        List<PersistentVolumeClaim> templates = statefulSet.getSpec() == null ? null : statefulSet.getSpec().getVolumeClaimTemplates();
        if (templates != null) {
            for (PersistentVolumeClaim template : templates) {
                if (template.getMetadata() != null && template.getMetadata().getName() != null) {
                    names.add(template.getMetadata().getName() + "-" + podName(statefulSet, ordinal));
                }
            }
        }
        return names;
    }

    /**
     * The pod the StatefulSet controller would submit for an ordinal, as the webhook sees it at
     * admission: name {@code <set>-<ordinal>}, the template's labels and annotations plus the
     * controller's {@value #POD_NAME_LABEL} and {@value PodOrdinal#POD_INDEX_LABEL} labels, a
     * controller ownerReference to the set, and the template's spec. No uid, no status.
     */
    public static Pod podAt(StatefulSet statefulSet, int ordinal) {
        ObjectMeta setMeta = statefulSet.getMetadata();
        PodTemplateSpec template = statefulSet.getSpec() == null ? null : statefulSet.getSpec().getTemplate();
        ObjectMeta templateMeta = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        String name = podName(statefulSet, ordinal);
        Map<String, String> labels = new LinkedHashMap<>();
        if (templateMeta.getLabels() != null) {
            labels.putAll(templateMeta.getLabels());
        }
        labels.put(POD_NAME_LABEL, name);
        labels.put(PodOrdinal.POD_INDEX_LABEL, Integer.toString(ordinal));
        Map<String, String> annotations = templateMeta.getAnnotations() == null ? null : new LinkedHashMap<>(templateMeta.getAnnotations());
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withGenerateName(setMeta.getName() + "-")
                        .withNamespace(setMeta.getNamespace())
                        .withLabels(labels)
                        .withAnnotations(annotations)
                        .withOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion("apps/v1")
                                .withKind("StatefulSet")
                                .withName(setMeta.getName())
                                .withUid(setMeta.getUid())
                                .withController(true)
                                .withBlockOwnerDeletion(true)
                                .build())
                        .build())
                .withSpec(template == null ? null : template.getSpec())
                .build();
    }
}
