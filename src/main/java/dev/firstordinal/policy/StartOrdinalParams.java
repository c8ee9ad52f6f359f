package dev.firstordinal.policy;

import dev.firstordinal.ordinal.PodOrdinal;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parameter ConfigMap the MutatingAdmissionPolicy reads start ordinals from
 * ({@code paramRef}): one entry per StatefulSet whose {@code spec.ordinals.start} is not 0, keyed
 * {@code <namespace>_<statefulset>} (a ConfigMap key cannot hold {@code /}; neither a namespace nor
 * a StatefulSet name can hold {@code _}, so the key is unambiguous), valued with the start in
 * decimal. A set with no entry starts at 0.
 */
public final class StartOrdinalParams {

    /** The ConfigMap's default name, in the namespace first-ordinal is installed in. */
    public static final String DEFAULT_NAME = "first-ordinal-start-ordinals";
    /** A ConfigMap key holds at most this many characters. */
    static final int MAX_KEY = 253;

    private StartOrdinalParams() {
    }

    /** The key of one StatefulSet; empty when namespace and name are too long together for a ConfigMap key. */
    public static Optional<String> key(String namespace, String statefulSet) {
        String key = namespace + "_" + statefulSet;
        return key.length() > MAX_KEY ? Optional.empty() : Optional.of(key);
    }

    /**
     * The ConfigMap's {@code data} for the given start ordinals ({@code namespace → set → start}):
     * entries for non-zero starts only, sorted so that equal inputs give equal ConfigMaps.
     */
    public static Map<String, String> data(Map<String, Map<String, Integer>> starts) {
        Map<String, String> data = new TreeMap<>();
        starts.forEach((namespace, sets) -> sets.forEach((set, start) -> {
            if (start != null && start != 0) {
                key(namespace, set).ifPresent(key -> data.put(key, Integer.toString(start)));
            }
        }));
        return data;
    }

    /** What the policy reads for one set from {@code data}: the entry's value, 0 when absent or not a number. */
    public static int startOf(Map<String, String> data, String namespace, String statefulSet) {
        Optional<String> key = key(namespace, statefulSet);
        if (key.isEmpty() || data == null) {
            return 0;
        }
        return PodOrdinal.parse(data.get(key.get())).orElse(0);
    }
}
