package dev.firstordinal.audit;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.MarkingPolicy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one instance of each value a marking policy writes on a pod (its label value and its hook annotations: the
 * command alone is ~8.7 KB), so that what is kept of many pods (the repairer's store, a coverage batch) holds one
 * copy of it rather than one per pod, which is what the client's parser hands out. A value equal to one of them is
 * the same string, so nothing a decision or a patch reads changes.
 */
public final class SharedValues {

    private final Map<String, String> canonical;

    public SharedValues(MarkingPolicy policy) {
        Map<String, String> values = new HashMap<>();
        HookAnnotations hook = policy.hook();
        for (String value : List.of(policy.labelValue(), hook.command(), hook.identity(), hook.onError(), hook.timeout())) {
            values.put(value, value);
        }
        canonical = Map.copyOf(values);
    }

    /** The policy's own instance when {@code value} equals one of its values, else {@code value}. */
    public String share(String value) {
        return value == null ? null : canonical.getOrDefault(value, value);
    }

    /** The same map with shared values; the same map when none is shared, null for null. */
    public Map<String, String> share(Map<String, String> map) {
        if (map == null || map.values().stream().noneMatch(canonical::containsKey)) {
            return map;
        }
        Map<String, String> shared = new java.util.LinkedHashMap<>();
        map.forEach((key, value) -> shared.put(key, share(value)));
        return shared;
    }
}
