package dev.firstordinal.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fixture under src/test/resources/admission: the response envelope is right, the patch
 * applied the way the API server applies it gives exactly the expected pod, and the patched pod
 * sent again yields no patch.
 */
class AdmissionReviewFixturesTest {

    private final MarkingPolicy policy = MarkingPolicy.defaults();
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(policy), StartOrdinalLookup.ZERO);

    static Stream<String> cases() throws IOException {
        return Fixtures.caseNames();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersEachFixtureAsExpected(String name) throws Exception {
        ObjectNode review = Fixtures.review(name);
        JsonNode response = respond(Fixtures.reviewBytes(name));
        assertEnvelope(response, review.at("/request/uid").asText());

        Optional<JsonNode> expected = Fixtures.expectedPod(name, policy.hook().command());
        JsonNode object = review.at("/request/object");
        if (expected.isEmpty()) {
            assertThat(response.at("/response").has("patch")).as("no patch expected for " + name).isFalse();
            assertThat(response.at("/response").has("patchType")).isFalse();
        } else {
            assertThat(response.at("/response/patchType").asText()).isEqualTo("JSONPatch");
            ArrayNode patch = Fixtures.decodePatch(response);
            assertOnlyLabelsAndAnnotationsTouched(patch);
            JsonNode patched = ApiServerPatch.apply(patch, object);
            assertThat(patched).isEqualTo(ApiServerPatch.asApiServerSerializes(expected.get()));

            JsonNode again = respond(Fixtures.withObject(review, patched));
            assertThat(again.at("/response").has("patch")).as("idempotent: patched pod needs no patch").isFalse();
            assertThat(again.at("/response/allowed").asBoolean()).isTrue();
        }
        assertThat(warnings(response)).as("warnings").hasSize(Fixtures.expectedWarnings(name).isEmpty() ? 0 : 1);
        for (String fragment : Fixtures.expectedWarnings(name)) {
            assertThat(warnings(response).get(0)).contains(fragment);
        }
    }

    private JsonNode respond(byte[] body) throws BadAdmissionReview {
        return Fixtures.tree(handler.handle(body).body());
    }

    static void assertEnvelope(JsonNode response, String uid) {
        assertThat(response.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(response.get("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(response.has("request")).isFalse();
        assertThat(response.at("/response/uid").asText()).isEqualTo(uid);
        assertThat(response.at("/response/allowed").isBoolean()).isTrue();
        assertThat(response.at("/response/allowed").asBoolean()).isTrue();
        assertThat(response.at("/response").has("patch")).isEqualTo(response.at("/response").has("patchType"));
        assertThat(response.at("/response").has("status")).isFalse();
    }

    static void assertOnlyLabelsAndAnnotationsTouched(ArrayNode patch) {
        assertThat(patch).isNotEmpty();
        for (JsonNode op : patch) {
            assertThat(op.get("op").asText()).isEqualTo("add");
            assertThat(op.get("path").asText()).matches("/metadata/(labels|annotations)(/[^/]+)?");
        }
    }

    private static List<String> warnings(JsonNode response) {
        List<String> out = new ArrayList<>();
        response.at("/response/warnings").forEach(w -> out.add(w.asText()));
        return out;
    }
}
