package dev.firstordinal.admission;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Bodies that are not usable AdmissionReviews raise BadAdmissionReview with a one-line message; big but valid pods still work. */
class MalformedAdmissionReviewTest {

    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(
            new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON                 | this is not json                                                       | malformed AdmissionReview
            truncated JSON           | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{ | malformed AdmissionReview
            JSON array               | []                                                                     | malformed AdmissionReview
            JSON null                | null                                                                   | JSON null
            JSON string              | "review"                                                               | malformed AdmissionReview
            no request               | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}          | has no request
            request is a string      | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"} | malformed AdmissionReview
            no uid                   | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}} | has no uid
            blank uid                | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":" "}} | has no uid
            uid is an object         | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":{}}} | malformed AdmissionReview
            v1beta1                  | {"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}} | expected apiVersion admission.k8s.io/v1
            pod CREATE without object | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"}}} | has no object
            labels is a number       | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a-0","labels":5}}}} | malformed AdmissionReview
            request.object twice     | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a-0"}},"object":null}} | Duplicate field 'object'
            metadata twice           | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a-0","labels":{"a":"b"}},"metadata":{"name":"a-0"}}}} | Duplicate field 'metadata'
            a label twice            | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a-0","labels":{"a":"b","a":"c"}}}}} | Duplicate field 'a'
            containers is an object  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"apiVersion":"v1","kind":"Pod","spec":{"containers":{"a":1}}}}} | malformed AdmissionReview
            """)
    void rejectsWithOneLineMessage(String description, String body, String expectedMessage) {
        assertThatThrownBy(() -> handler.handle(body.getBytes(StandardCharsets.UTF_8)))
                .as(description)
                .isInstanceOf(BadAdmissionReview.class)
                .hasMessageContaining(expectedMessage)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThanOrEqualTo(301));
    }

    @Test
    void rejectsEmptyBody() {
        assertThatThrownBy(() -> handler.handle(new byte[0])).isInstanceOf(BadAdmissionReview.class).hasMessageContaining("empty body");
    }

    @Test
    void rejectsDeeplyNestedInputQuickly() {
        int depth = 100_000;
        String nested = "[".repeat(depth) + "]".repeat(depth);
        String body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"options\":" + nested + "}}";
        assertThatThrownBy(() -> handler.handle(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BadAdmissionReview.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void marksFiveMegabytePodWithThousandsOfEnvVars() throws Exception {
        ObjectNode review = Fixtures.review("first-ordinal-redis");
        ObjectNode pod = (ObjectNode) review.at("/request/object");
        ArrayNode env = (ArrayNode) pod.at("/spec/containers/0/env");
        String value = "x".repeat(1000);
        for (int i = 0; i < 5_000; i++) {
            env.addObject().put("name", "SETTING_" + i).put("value", value);
        }
        byte[] body = Fixtures.withObject(review, pod);
        assertThat(body.length).isGreaterThan(5_000_000);

        JsonNode response = Fixtures.tree(handler.handle(body).body());

        JsonNode patched = ApiServerPatch.apply(Fixtures.decodePatch(response), pod);
        assertThat(patched.at("/metadata/labels/velero-backup-schedule").asText()).isEqualTo("redis");
        assertThat(patched.at("/metadata/annotations").has("pre.hook.backup.velero.io/command")).isTrue();
        assertThat(patched.at("/spec")).isEqualTo(pod.at("/spec"));
    }

    // Found by the Jazzer pass (corpus: lone-surrogate-in-annotation-key.json): Jackson decodes some invalid
    // UTF-8 into a lone surrogate, and the answer's warnings echo pod-supplied names.
    @Test
    void answersInValidAsciiJsonWhenAContainerNameHoldsALoneSurrogate() throws Exception {
        // The JSON escape \udc3f: Jackson reads it into a lone surrogate, as it does some invalid UTF-8.
        String json = Fixtures.JSON.writeValueAsString(Fixtures.review("no-redis-container-falls-back-to-first"))
                .replace("\"name\":\"app\"", "\"name\":\"app\\udc3f\"");
        assertThat(json).contains("app\\udc3f");
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);

        byte[] answer = handler.handle(json.getBytes(StandardCharsets.UTF_8)).body();

        for (byte b : answer) {
            assertThat(b).as("answer is ASCII").isBetween((byte) 0x00, (byte) 0x7f);
        }
        JsonNode reread = Json.MAPPER.readTree(answer);
        assertThat(reread.at("/response/allowed").asBoolean()).isTrue();
        assertThat(reread.at("/response/warnings/0").asText()).contains("app\udc3f");
    }

    // Found by the Jazzer pass (corpus: lone-surrogate-in-annotation-key.json): F4 9F BB AE (above U+10FFFF)
    // was read into a lone surrogate in a field name that Jackson then refused to read back.
    @Test
    void rejectsABodyThatIsNotValidUtf8WithTheByteOffset() {
        byte[] valid = Fixtures.reviewBytes("first-ordinal-redis");
        byte[] body = java.util.Arrays.copyOf(valid, valid.length + 4);
        int at = new String(valid, StandardCharsets.UTF_8).indexOf("\"app\"") + 2;
        System.arraycopy(valid, at, body, at + 4, valid.length - at);
        body[at] = (byte) 0xf4;
        body[at + 1] = (byte) 0x9f;
        body[at + 2] = (byte) 0xbb;
        body[at + 3] = (byte) 0xae;
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);

        assertThatThrownBy(() -> handler.handle(body))
                .isInstanceOf(BadAdmissionReview.class)
                .hasMessage("malformed AdmissionReview: body is not valid UTF-8 (at byte " + at + ")");
        assertThat(AdmissionReviewHandler.invalidUtf8Offset(valid)).isEqualTo(-1);
    }
    @Test
    void rejectsBytesAfterTheRootValue() {
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);
        byte[] valid = Fixtures.reviewBytes("first-ordinal-redis");
        for (String trailer : new String[] {"x", "{}", "}", "[1]", " garbage", "\u0000", "\n\u0000", "null"}) {
            byte[] body = java.util.Arrays.copyOf(valid, valid.length + trailer.length());
            System.arraycopy(trailer.getBytes(StandardCharsets.UTF_8), 0, body, valid.length, trailer.length());
            assertThatThrownBy(() -> handler.handle(body)).as("trailer %s", trailer.replace("\u0000", "NUL"))
                    .isInstanceOf(BadAdmissionReview.class)
                    .hasMessageStartingWith("malformed AdmissionReview");
        }
        byte[] trailingWhitespace = java.util.Arrays.copyOf(valid, valid.length + 3);
        trailingWhitespace[valid.length] = ' ';
        trailingWhitespace[valid.length + 1] = '\r';
        trailingWhitespace[valid.length + 2] = '\n';
        assertThat(catchThrowable(() -> handler.handle(trailingWhitespace))).as("whitespace after the value is JSON").isNull();
    }

    @Test
    void rejectsUtf16AndUtf32BodiesWithoutAByteOrderMark() {
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new FirstOrdinalRule(MarkingPolicy.defaults()), StartOrdinalLookup.ZERO);
        String text = new String(Fixtures.reviewBytes("first-ordinal-redis"), StandardCharsets.UTF_8);
        for (java.nio.charset.Charset charset : new java.nio.charset.Charset[] {StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                java.nio.charset.Charset.forName("UTF-32LE"), java.nio.charset.Charset.forName("UTF-32BE")}) {
            byte[] body = text.getBytes(charset);
            assertThatThrownBy(() -> handler.handle(body)).as(charset.name())
                    .isInstanceOf(BadAdmissionReview.class)
                    .hasMessageContaining("not valid UTF-8");
        }
    }

    @Test
    void findsTheFirstInvalidByteAfterAnAsciiPrefixAndAcceptsValidMultiByteText() {
        byte[] ascii = "{\"a\":\"b\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] valid = "{\"é\":\"shard-😀\"}".getBytes(StandardCharsets.UTF_8);
        byte[] badContinuation = {'{', '"', (byte) 0xc3, '"', '}'};
        byte[] truncatedAtEnd = {'"', 'x', (byte) 0xe2, (byte) 0x82};
        byte[] invalidFirst = {(byte) 0xff, 'a'};
        byte[] longThenBad = new byte[20_000];
        java.util.Arrays.fill(longThenBad, (byte) 'a');
        for (int i = 100; i + 1 < 19_000; i += 2) { // é repeated: the decoder runs through several 8 KiB steps
            longThenBad[i] = (byte) 0xc3;
            longThenBad[i + 1] = (byte) 0xa9;
        }
        longThenBad[19_500] = (byte) 0x80;

        assertThat(AdmissionReviewHandler.invalidUtf8Offset(ascii)).isEqualTo(-1);
        assertThat(AdmissionReviewHandler.invalidUtf8Offset(valid)).isEqualTo(-1);
        assertThat(AdmissionReviewHandler.invalidUtf8Offset(badContinuation)).isEqualTo(2);
        assertThat(AdmissionReviewHandler.invalidUtf8Offset(truncatedAtEnd)).isEqualTo(2);
        assertThat(AdmissionReviewHandler.invalidUtf8Offset(invalidFirst)).isEqualTo(0);
        assertThat(AdmissionReviewHandler.invalidUtf8Offset(longThenBad)).isEqualTo(19_500);
    }
}
