package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetOrdinals;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;

import java.util.Map;

/** The two facts first-ordinal reads from a StatefulSet, with the API's defaults applied. */
public final class StatefulSets {

    private StatefulSets() {
    }

    /** {@code spec.ordinals.start}: the first ordinal; 0 when unset (the Kubernetes default). */
    public static int startOrdinal(StatefulSet statefulSet) {
        StatefulSetSpec spec = statefulSet == null ? null : statefulSet.getSpec();
        StatefulSetOrdinals ordinals = spec == null ? null : spec.getOrdinals();
        Integer start = ordinals == null ? null : ordinals.getStart();
        return start == null ? 0 : start;
    }

    /** {@code spec.selector.matchLabels}; empty when unset. Labels the pods must keep to stay selected. */
    public static Map<String, String> selectorLabels(StatefulSet statefulSet) {
        StatefulSetSpec spec = statefulSet == null ? null : statefulSet.getSpec();
        LabelSelector selector = spec == null ? null : spec.getSelector();
        Map<String, String> labels = selector == null ? null : selector.getMatchLabels();
        return labels == null ? Map.of() : Map.copyOf(labels);
    }
}
