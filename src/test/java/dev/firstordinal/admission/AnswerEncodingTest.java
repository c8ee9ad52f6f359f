package dev.firstordinal.admission;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one answer encoder: the assembled answer (the common case) is byte for byte what the Jackson generator writes,
 * and an error is one line of ASCII JSON whatever its message holds.
 */
class AnswerEncodingTest {

    private static final byte[] PATCH = Base64.getEncoder().encode(
            "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"velero-backup-schedule\":\"redis\"}}]".getBytes(StandardCharsets.UTF_8));

    @ParameterizedTest
    @ValueSource(strings = {"0b3f6a2e-0000-4000-8000-000000000001", "u", "a/b:c~d e"})
    void assemblesTheSameBytesAsTheGeneratorWithAndWithoutPatch(String uid) {
        assertThat(AnswerEncoding.writtenAsIs(uid)).isTrue();
        assertThat(new String(AnswerEncoding.review(uid, PATCH, List.of()), StandardCharsets.US_ASCII))
                .isEqualTo(new String(AnswerEncoding.generate(uid, PATCH, List.of()), StandardCharsets.US_ASCII));
        assertThat(new String(AnswerEncoding.review(uid, null, List.of()), StandardCharsets.US_ASCII))
                .isEqualTo(new String(AnswerEncoding.generate(uid, null, List.of()), StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @ValueSource(strings = {"quote\"d", "back\\slash", "tab\there", "é", "\u007f"})
    void escapesAUidThatCannotBeWrittenAsIs(String uid) throws Exception {
        assertThat(AnswerEncoding.writtenAsIs(uid)).isFalse();
        byte[] answer = AnswerEncoding.review(uid, PATCH, List.of());

        JsonNode tree = Json.MAPPER.readTree(answer);
        assertThat(tree.at("/response/uid").asText()).isEqualTo(uid);
        assertThat(tree.at("/response/patch").asText()).isEqualTo(new String(PATCH, StandardCharsets.US_ASCII));
        assertThat(new String(answer, StandardCharsets.ISO_8859_1)).matches("[\\x20-\\x7f]+"); // ASCII, no raw control characters (JSON allows DEL as it is)
    }

    @Test
    void writesWarningsThroughTheGenerator() throws Exception {
        byte[] answer = AnswerEncoding.review("u", null, List.of("first-ordinal: a \"warning\""));

        JsonNode tree = Json.MAPPER.readTree(answer);
        assertThat(tree.at("/response/warnings/0").asText()).isEqualTo("first-ordinal: a \"warning\"");
        assertThat(tree.at("/response/allowed").asBoolean()).isTrue();
        assertThat(tree.at("/response/patch").isMissingNode()).isTrue();
    }

    @Test
    void writesAnErrorAsOneLineOfAsciiJsonWhateverItsMessageHolds() throws Exception {
        String message = "bad \"pod\"\r\nERROR forged\u001b[31m \u00e9\ud83d\ude00";
        byte[] error = AnswerEncoding.error(message);

        String text = new String(error, StandardCharsets.ISO_8859_1);
        assertThat(text).matches("[\\x20-\\x7e]+").startsWith("{\"error\":");
        assertThat(Json.MAPPER.readTree(error).get("error").asText())
                .isEqualTo(BadAdmissionReview.oneLine(message)).doesNotContain("\n").doesNotContain("\r");
    }
}
