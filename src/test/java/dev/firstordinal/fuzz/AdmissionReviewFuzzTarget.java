package dev.firstordinal.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.json.Json;
import dev.firstordinal.admission.AdmissionReviewHandler;
import dev.firstordinal.admission.BadAdmissionReview;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.ApiServerPatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;

import java.util.Base64;
import java.util.Objects;

/**
 * Jazzer fuzz target over the AdmissionReview → response path and the patch builder. Run by
 * {@code mvn verify} (exec-maven-plugin, standalone Jazzer driver) for {@code fuzz.seconds}; the
 * committed corpus under {@code src/test/resources/fuzz/admission-corpus} is also replayed by
 * {@code AdmissionFuzzCorpusTest} on every {@code mvn test}.
 *
 * <p>Invariants, for any request body:
 * <ol>
 *   <li>the handler either answers or throws {@link BadAdmissionReview} (the route's 400): nothing else escapes;</li>
 *   <li>an answer is {@code allowed: true}, echoes the uid, and has {@code patch} and {@code patchType: JSONPatch} together or not at all;</li>
 *   <li>every patch applies (zjsonpatch) to the pod as the API server serializes it;</li>
 *   <li>the patch changes only {@code metadata.labels} and {@code metadata.annotations}, and only adds;</li>
 *   <li>the webhook run on its own output asks for no further patch.</li>
 * </ol>
 */
public final class AdmissionReviewFuzzTarget {

    /** Start ordinals vary with the StatefulSet name, so first, other and guessed (warning) paths are all reached. */
    static final StartOrdinalLookup STARTS = (namespace, statefulSet) -> {
        int h = Objects.hashCode(statefulSet) ^ Objects.hashCode(namespace);
        return switch (Math.floorMod(h, 4)) {
            case 0, 1 -> StartOrdinalLookup.StartOrdinal.of(0);
            case 2 -> StartOrdinalLookup.StartOrdinal.of(1);
            default -> StartOrdinalLookup.StartOrdinal.guessed(0, "first-ordinal: StatefulSet " + statefulSet + " not cached; assuming start ordinal 0");
        };
    };

    static final AdmissionReviewHandler HANDLER = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), STARTS);

    private AdmissionReviewFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] body) {
        check(body);
    }

    /** Checks the invariants for one body; throws {@link AssertionError} (a finding) when one is broken. */
    public static void check(byte[] body) {
        AdmissionReviewHandler.Answer answer;
        try {
            answer = HANDLER.handle(body);
        } catch (BadAdmissionReview mappedTo400) {
            if (mappedTo400.getMessage() == null || mappedTo400.getMessage().contains("\n")) {
                throw new AssertionError("400 message must be one line: " + mappedTo400.getMessage());
            }
            return;
        }
        JsonNode response = tree(answer.body()).path("response");
        require(response.path("allowed").asBoolean(false), "response is not allowed:true");
        JsonNode request = tree(body).path("request");
        require(response.path("uid").asText().equals(request.path("uid").asText()), "uid not echoed");
        boolean hasPatch = response.hasNonNull("patch");
        require(hasPatch == response.hasNonNull("patchType"), "patch and patchType must come together");
        require(hasPatch == answer.patched(), "Answer.patched() disagrees with the response");
        if (!hasPatch) {
            return;
        }
        require("JSONPatch".equals(response.path("patchType").asText()), "patchType is not JSONPatch");
        JsonNode patch = tree(Base64.getDecoder().decode(response.path("patch").asText()));

        // The pod as the API server holds it: decoded into its type and serialized again. A body that
        // the full model cannot decode (say, an invalid resource quantity) never comes from an API
        // server, but the handler reads only the fields it needs; the patch must still apply to the
        // object exactly as it was sent.
        JsonNode before = ApiServerPatch.asApiServerSerializes(podOf(body)
                .<JsonNode>map(Json.MAPPER::valueToTree)
                .orElseGet(() -> request.path("object")));
        JsonNode after;
        try {
            after = ApiServerPatch.apply(patch, before);
        } catch (RuntimeException e) {
            throw new AssertionError("patch " + patch + " does not apply to its pod: " + e.getMessage(), e);
        }
        requireOnlyAdditionsToLabelsAndAnnotations(before, after);

        ObjectNode again = (ObjectNode) tree(body);
        ((ObjectNode) again.get("request")).set("object", after);
        AdmissionReviewHandler.Answer second;
        try {
            second = HANDLER.handle(Json.MAPPER.writeValueAsBytes(again));
        } catch (Exception e) {
            throw new AssertionError("the webhook rejects its own output: " + e.getMessage(), e);
        }
        require(!second.patched(), "the webhook patches its own output again: " + tree(second.body()));
    }

    static void requireOnlyAdditionsToLabelsAndAnnotations(JsonNode before, JsonNode after) {
        require(withoutLabelsAndAnnotations(before).equals(withoutLabelsAndAnnotations(after)),
                "the patch changes more than labels and annotations");
        for (String map : new String[] {"labels", "annotations"}) {
            JsonNode old = before.path("metadata").path(map);
            JsonNode now = after.path("metadata").path(map);
            old.fieldNames().forEachRemaining(key ->
                    require(old.get(key).equals(now.get(key)), "the patch changes or removes existing " + map + " key " + key));
        }
    }

    private static JsonNode withoutLabelsAndAnnotations(JsonNode pod) {
        JsonNode copy = pod.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove("labels");
            metadata.remove("annotations");
        }
        return copy;
    }

    private static java.util.Optional<Pod> podOf(byte[] body) {
        try {
            AdmissionReview review = Json.MAPPER.readValue(body, AdmissionReview.class);
            Object object = review.getRequest().getObject();
            return java.util.Optional.of(object instanceof Pod pod ? pod : Json.MAPPER.convertValue(object, Pod.class));
        } catch (Exception notDecodableByTheFullModel) {
            return java.util.Optional.empty();
        }
    }

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + e.getMessage(), e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
