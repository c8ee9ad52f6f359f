package dev.firstordinal.patch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.Map;

/**
 * Builds the RFC 6902 patch that adds labels and annotations to a pod, the way the API server
 * (evanphx/json-patch) can apply it.
 *
 * <p>An {@code add} to {@code /metadata/annotations/x} fails when {@code annotations} is absent,
 * and the API server omits empty maps when it serializes the object it patches. So a map that is
 * absent or empty is added whole; otherwise each key is added on its own, with {@code ~} and
 * {@code /} escaped. Only {@code /metadata/labels} and {@code /metadata/annotations} are touched.
 */
public final class PodPatch {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PodPatch() {
    }

    /** The patch that adds {@code labels} and {@code annotations} to a pod with this metadata; empty when there is nothing to add. */
    public static ArrayNode additions(ObjectMeta metadata, Map<String, String> labels, Map<String, String> annotations) {
        ArrayNode ops = NODES.arrayNode();
        addAll(ops, "/metadata/labels", metadata.getLabels(), labels);
        addAll(ops, "/metadata/annotations", metadata.getAnnotations(), annotations);
        return ops;
    }

    /**
     * The patch that removes labels and annotations from a live pod, guarded so that it fails instead of
     * removing something that changed since the pod was read: first a {@code test} of the pod's
     * {@code resourceVersion} (when known), then, before each {@code remove}, a {@code test} of the value seen.
     *
     * <p>A value holding {@code <}, {@code >}, {@code &}, U+2028 or U+2029 gets no value test: the API server
     * (evanphx/json-patch v4) compares a test's JSON text byte for byte with its own encoding of the pod,
     * which writes those characters as {@code \u003c}-style escapes, so that test could never pass
     * (first-ordinal's hook script has them). The resourceVersion test guards those removals.
     *
     * @param resourceVersion the pod's resourceVersion as read; null: no such test
     */
    public static ArrayNode removals(String resourceVersion, Map<String, String> labels, Map<String, String> annotations) {
        ArrayNode ops = NODES.arrayNode();
        if (resourceVersion != null) {
            ops.add(op("test", "/metadata/resourceVersion").put("value", resourceVersion));
        }
        removeAll(ops, "/metadata/labels", labels);
        removeAll(ops, "/metadata/annotations", annotations);
        return ops;
    }

    /**
     * The patch that refreshes first-ordinal's stale marks on a pod: {@link #removals} of the stale labels and
     * annotations (guarded by the resourceVersion, when known), then {@link #additions} of the current ones.
     * The additions are made against the pod as read: a map that had a stale key still exists (perhaps empty)
     * when the adds run, so each key is added on its own.
     */
    public static ArrayNode refresh(String resourceVersion, ObjectMeta metadata, Map<String, String> staleLabels,
                                    Map<String, String> staleAnnotations, Map<String, String> labels, Map<String, String> annotations) {
        ArrayNode ops = removals(resourceVersion, staleLabels, staleAnnotations);
        ops.addAll(additions(metadata, labels, annotations));
        return ops;
    }

    private static void removeAll(ArrayNode ops, String mapPath, Map<String, String> seen) {
        seen.forEach((key, value) -> {
            String path = mapPath + "/" + JsonPointers.escape(key);
            if (comparableByTheApiServer(value)) {
                ops.add(op("test", path).put("value", value));
            }
            ops.add(op("remove", path));
        });
    }

    /** Whether the API server's JSON encoder writes this string as Jackson does (it escapes HTML characters and U+2028/9). */
    static boolean comparableByTheApiServer(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029' || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
                return false;
            }
        }
        return true;
    }

    private static void addAll(ArrayNode ops, String mapPath, Map<String, String> existing, Map<String, String> additions) {
        if (additions.isEmpty()) {
            return;
        }
        if (existing == null || existing.isEmpty()) {
            ObjectNode whole = NODES.objectNode();
            additions.forEach(whole::put);
            ops.add(op("add", mapPath).set("value", whole));
            return;
        }
        additions.forEach((key, value) -> ops.add(op("add", mapPath + "/" + JsonPointers.escape(key)).put("value", value)));
    }

    private static ObjectNode op(String op, String path) {
        ObjectNode node = NODES.objectNode();
        node.put("op", op);
        node.put("path", path);
        return node;
    }
}
