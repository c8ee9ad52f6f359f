package dev.firstordinal.cluster;

import dev.firstordinal.ordinal.MarkingPolicy;

/**
 * The namespace label that opts a namespace in ({@code first-ordinal.dev/backup=enabled} by
 * default), the same one the webhook's namespaceSelector matches.
 */
public record NamespaceLabel(String key, String value) {

    public static final String DEFAULT = "first-ordinal.dev/backup=enabled";

    public NamespaceLabel {
        if (!MarkingPolicy.isQualifiedName(key)) {
            throw new IllegalArgumentException("namespace label key '" + key + "' is not a valid Kubernetes label key");
        }
        if (!MarkingPolicy.isLabelValue(value)) {
            throw new IllegalArgumentException("namespace label value '" + value + "' is not a valid Kubernetes label value");
        }
    }

    /** Whether a namespace with these labels is opted in. */
    public boolean matches(java.util.Map<String, String> labels) {
        return labels != null && value.equals(labels.get(key));
    }

    /** Parses {@code key=value}. */
    public static NamespaceLabel parse(String text) {
        int equals = text == null ? -1 : text.indexOf('=');
        if (equals < 0) {
            throw new IllegalArgumentException("namespace label '" + text + "' must be key=value, e.g. " + DEFAULT);
        }
        return new NamespaceLabel(text.substring(0, equals), text.substring(equals + 1));
    }

    @Override
    public String toString() {
        return key + "=" + value;
    }
}
