package dev.firstordinal.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;

import java.util.List;

/**
 * Applies a webhook's JSON patch the way the API server does: to the object as Go serializes it,
 * where empty maps ({@code omitempty}) are left out, so an {@code add} into an empty or missing
 * map fails just as it would in a cluster.
 */
public final class ApiServerPatch {

    private ApiServerPatch() {
    }

    public static JsonNode apply(JsonNode patch, JsonNode object) {
        return JsonPatch.apply(patch, asApiServerSerializes(object));
    }

    /** The object with empty {@code metadata.labels} and {@code metadata.annotations} removed. */
    public static JsonNode asApiServerSerializes(JsonNode object) {
        JsonNode copy = object.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode metadata) {
            for (String map : List.of("labels", "annotations")) {
                JsonNode value = metadata.get(map);
                if (value != null && (value.isNull() || value.isEmpty())) {
                    metadata.remove(map);
                }
            }
        }
        return copy;
    }
}
