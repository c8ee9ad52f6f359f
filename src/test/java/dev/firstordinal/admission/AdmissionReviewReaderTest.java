package dev.firstordinal.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming read of AdmissionReviews: field order, fields it skips, and type errors in fields it reads. */
class AdmissionReviewReaderTest {

    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(
            new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);

    @Test
    void patchesPodWhoseObjectComesBeforeKindAndOperation() throws Exception {
        ObjectNode review = Fixtures.review("first-ordinal-redis");
        ObjectNode request = (ObjectNode) review.get("request");
        ObjectNode reordered = Fixtures.JSON.createObjectNode();
        reordered.set("object", request.get("object"));
        request.fieldNames().forEachRemaining(name -> reordered.set(name, request.get(name)));
        review.set("request", reordered);

        JsonNode response = Fixtures.tree(handler.handle(Fixtures.JSON.writeValueAsBytes(review)).body());

        assertThat(response.at("/response/patchType").asText()).isEqualTo("JSONPatch");
        assertThat(Fixtures.decodePatch(response).toString()).contains("velero-backup-schedule");
    }

    @Test
    void skipsFieldsTheRuleDoesNotReadWhateverTheirShape() throws Exception {
        ObjectNode review = Fixtures.review("first-ordinal-redis");
        ObjectNode pod = (ObjectNode) review.at("/request/object");
        ((ObjectNode) pod.at("/spec/containers/0")).putArray("env").addObject().putObject("valueFrom").putArray("deep").add(1);
        ((ObjectNode) pod.get("spec")).putObject("affinity").putObject("x").putArray("y").addArray().add("z");

        JsonNode response = Fixtures.tree(handler.handle(Fixtures.withObject(review, pod)).body());

        assertThat(response.at("/response/uid").asText()).isEqualTo(review.at("/request/uid").asText());
        assertThat(response.at("/response/patchType").asText()).isEqualTo("JSONPatch");
    }

    @Test
    void leavesNonPodObjectUnreadEvenWhenItsSpecIsNotAPodSpec() throws Exception {
        String body = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                 "kind":{"group":"example.com","version":"v1","kind":"Pod"},
                 "object":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":"not a list"}}}}""";

        JsonNode response = Fixtures.tree(handler.handle(body.getBytes(StandardCharsets.UTF_8)).body());

        assertThat(response.at("/response/allowed").asBoolean()).isTrue();
        assertThat(response.at("/response").has("patch")).isFalse();
    }

    @Test
    void rejectsOwnerReferencesThatAreNotAListNamingTheField() {
        String body = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},
                 "object":{"metadata":{"name":"a-0","ownerReferences":{"kind":"StatefulSet"}}}}}""";

        assertThatThrownBy(() -> handler.handle(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BadAdmissionReview.class)
                .hasMessageContaining("malformed AdmissionReview: metadata.ownerReferences must be a list, not an object (at line 3");
    }

    @Test
    void rejectsControllerFlagThatIsNotABoolean() {
        String body = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},
                 "object":{"metadata":{"name":"a-0","ownerReferences":[{"kind":"StatefulSet","controller":"maybe"}]}}}}""";

        assertThatThrownBy(() -> handler.handle(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BadAdmissionReview.class)
                .hasMessageContaining("ownerReference.controller must be true or false");
    }
}
