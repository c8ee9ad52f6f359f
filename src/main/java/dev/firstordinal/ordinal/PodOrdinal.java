package dev.firstordinal.ordinal;

import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Where a StatefulSet pod's ordinal comes from.
 *
 * <p>The {@code apps.kubernetes.io/pod-index} label (Kubernetes 1.28+) wins when it holds a
 * number. Otherwise the ordinal is the digits after {@code <owner name>-} in {@code metadata.name},
 * which is what the StatefulSet controller's own {@code (.*)-([0-9]+)$} parse yields for pods it
 * named. A name that does not start with the owner's name, or whose rest is not all digits, has
 * no ordinal: such a pod is left alone.
 */
public final class PodOrdinal {

    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    /** Ordinals above this are not StatefulSet ordinals (the API caps replicas at int32). */
    private static final int MAX_DIGITS = 10;

    private PodOrdinal() {
    }

    public static OptionalInt of(ObjectMeta metadata, String ownerName) {
        Map<String, String> labels = metadata.getLabels();
        if (labels != null) {
            OptionalInt fromLabel = parse(labels.get(POD_INDEX_LABEL));
            if (fromLabel.isPresent()) {
                return fromLabel;
            }
        }
        String name = metadata.getName();
        if (name == null || ownerName == null || !name.startsWith(ownerName + "-")) {
            return OptionalInt.empty();
        }
        return parse(name.substring(ownerName.length() + 1));
    }

    /** A non-negative int written in at most 10 decimal digits, else empty (also used for start ordinals from text). */
    public static OptionalInt parse(String digits) {
        if (digits == null || digits.isEmpty() || digits.length() > MAX_DIGITS) {
            return OptionalInt.empty();
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalInt.empty();
            }
        }
        long value = Long.parseLong(digits);
        return value > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) value);
    }
}
