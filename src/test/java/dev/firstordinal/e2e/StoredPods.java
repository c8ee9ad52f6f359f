package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.MarkingPolicy;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares pods as the API server stored them with their twins: the same workload created in a
 * namespace that did not opt in, so the webhook was never called. A pod may differ from its twin
 * only by what first-ordinal adds to a first-ordinal pod.
 */
final class StoredPods {

    static final String LABEL = MarkingPolicy.DEFAULT_LABEL_KEY;
    static final String LABEL_VALUE = MarkingPolicy.DEFAULT_LABEL_VALUE;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN_VOLUME = Pattern.compile("kube-api-access-[a-z0-9]{5}");

    private StoredPods() {
    }

    /** The hook annotations first-ordinal adds for a hook in {@code container}, as shipped (Fail, 300s). */
    static Map<String, String> hookFor(String container) {
        return MarkingPolicy.defaults().hook().forContainer(container);
    }

    static Map<String, String> marks(Pod pod) {
        Map<String, String> marks = new LinkedHashMap<>();
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        if (labels.containsKey(LABEL)) {
            marks.put("label " + LABEL, labels.get(LABEL));
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
        annotations.forEach((k, v) -> {
            if (k.startsWith(HookAnnotations.PREFIX) || k.equals(HookAnnotations.IDENTITY)) {
                marks.put(k, v);
            }
        });
        return marks;
    }

    /**
     * Asserts that each pod equals its twin (same name) except that the pods named in {@code marked}
     * also carry {@code labels} and {@code annotations}, and nothing else.
     */
    static void assertTwins(List<Pod> pods, List<Pod> twins, Set<String> marked, Map<String, String> labels,
                            Map<String, String> annotations) {
        assertThat(names(pods)).as("pods and their twins").isEqualTo(names(twins));
        for (int i = 0; i < pods.size(); i++) {
            Pod pod = pods.get(i);
            ObjectNode expected = comparable(twins.get(i));
            if (marked.contains(pod.getMetadata().getName())) {
                ObjectNode metadata = (ObjectNode) expected.get("metadata");
                labels.forEach(metadata.withObject("labels")::put);
                annotations.forEach(metadata.withObject("annotations")::put);
            }
            assertThat(comparable(pod)).as("stored pod %s (differs from its twin by more than first-ordinal's marks?)",
                    pod.getMetadata().getName()).isEqualTo(expected);
        }
    }

    static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).toList();
    }

    /** The pod without what differs between any two creations: identity, timestamps, namespace, generated names. */
    static ObjectNode comparable(Pod pod) {
        ObjectNode node = JSON.valueToTree(pod);
        ObjectNode metadata = (ObjectNode) node.get("metadata");
        metadata.remove(List.of("uid", "resourceVersion", "creationTimestamp", "managedFields", "namespace", "generation"));
        for (JsonNode owner : metadata.path("ownerReferences")) {
            ((ObjectNode) owner).remove("uid");
        }
        if (metadata.path("annotations").isEmpty()) {
            metadata.remove("annotations");
        }
        String text = TOKEN_VOLUME.matcher(node.toString()).replaceAll("kube-api-access-xxxxx");
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
