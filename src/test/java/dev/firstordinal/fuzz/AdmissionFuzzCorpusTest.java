package dev.firstordinal.fuzz;

import dev.firstordinal.json.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replays the committed fuzz corpus (seeds and past findings) through the fuzz target's invariants on every build. */
class AdmissionFuzzCorpusTest {

    static Stream<Path> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(AdmissionFuzzCorpusTest.class.getResource("/fuzz/admission-corpus").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusInputKeepsTheAdmissionInvariants(Path input) throws IOException {
        AdmissionReviewFuzzTarget.check(Files.readAllBytes(input));
    }

    @Test
    void corpusHoldsTheFixturesAndMalformedSeeds() throws Exception {
        assertThat(corpus().map(p -> p.getFileName().toString()))
                .contains("first-ordinal-redis.json", "malformed-empty.json")
                .hasSizeGreaterThan(30);
    }

    @Test
    void invariantCheckFailsWhenAPatchChangesAnExistingLabelOrAnotherField() throws IOException {
        // A marked pod passes; the "only additions to labels and annotations" check itself must be able to fail.
        byte[] review = ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"n\","
                + "\"object\":{\"metadata\":{\"name\":\"a-0\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\","
                + "\"name\":\"a\",\"uid\":\"1\",\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"redis\"}]}}}}")
                .getBytes(StandardCharsets.UTF_8);
        AdmissionReviewFuzzTarget.check(review);
        assertThatThrownBy(() -> AdmissionReviewFuzzTarget.requireOnlyAdditionsToLabelsAndAnnotations(
                tree("{\"metadata\":{\"labels\":{\"a\":\"1\"}}}"), tree("{\"metadata\":{\"labels\":{\"a\":\"2\"}}}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("labels key a");
        assertThatThrownBy(() -> AdmissionReviewFuzzTarget.requireOnlyAdditionsToLabelsAndAnnotations(
                tree("{\"metadata\":{\"name\":\"a\"}}"), tree("{\"metadata\":{\"name\":\"b\"}}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("more than labels");
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) throws IOException {
        return dev.firstordinal.json.Json.MAPPER.readTree(json);
    }
}
