package dev.firstordinal.ordinal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pod labels that say a StatefulSet is a shard's replica tier, whose master lives in another set:
 * Bitnami's {@code architecture: replication} makes {@code <release>-master} and
 * {@code <release>-replicas}, whose pod templates carry {@code app.kubernetes.io/component:
 * master} and {@code replica}. Marking both first ordinals would back the shard up twice, so a pod
 * carrying any of these labels is left alone.
 *
 * @param labels {@code key=value} pairs; a pod matching any one of them is in the replica tier
 */
public record ReplicaTier(List<Label> labels) {

    /** The setting's default: Bitnami's (and the Kubernetes recommended labels') replica component. */
    public static final String DEFAULT_SETTING = "app.kubernetes.io/component=replica";
    /** The setting's value that turns the rule off. */
    public static final String NONE = "none";
    public static final ReplicaTier DEFAULT = parse(DEFAULT_SETTING);

    /** One {@code key=value} pod label. */
    public record Label(String key, String value) {
        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    public ReplicaTier {
        labels = List.copyOf(labels);
    }

    /**
     * Parses a comma-separated list of {@code key=value} pod labels, or {@value #NONE} for no
     * replica tier at all.
     *
     * @throws IllegalArgumentException naming the entry that is not a valid label {@code key=value}
     */
    public static ReplicaTier parse(String setting) {
        String trimmed = setting == null ? "" : setting.trim();
        if (trimmed.isEmpty() || trimmed.equals(NONE)) {
            return new ReplicaTier(List.of());
        }
        List<Label> labels = new ArrayList<>();
        for (String entry : trimmed.split(",", -1)) {
            String pair = entry.trim();
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq).trim();
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (eq < 0 || !MarkingPolicy.isQualifiedName(key) || value.isEmpty() || !MarkingPolicy.isLabelValue(value)) {
                throw new IllegalArgumentException("replica tier label '" + pair + "' is not a label key=value"
                        + " (e.g. " + DEFAULT_SETTING + "; '" + NONE + "' turns the rule off)");
            }
            labels.add(new Label(key, value));
        }
        return new ReplicaTier(labels);
    }

    /** The first of these labels the pod carries, if any. */
    public Optional<Label> match(Map<String, String> podLabels) {
        if (podLabels == null) {
            return Optional.empty();
        }
        return labels.stream().filter(l -> l.value().equals(podLabels.get(l.key()))).findFirst();
    }

    /** The setting that parses back to this tier. */
    public String setting() {
        return labels.isEmpty() ? NONE : String.join(",", labels.stream().map(Label::toString).toList());
    }
}
