package dev.firstordinal.admission;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.firstordinal.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The project's one encoder of what the TLS port answers: an AdmissionReview response ({@link #review}) and a
 * one-line JSON error {@code {"error": message}} ({@link #error}) for every refusal: the routes' own
 * ({@link AnswerWriter}) and the 400/414/431 Vert.x writes itself ({@link InvalidRequestAnswers}). Both
 * through {@link Json#MAPPER}'s generator, so both escape alike (ASCII only).
 */
final class AnswerEncoding {

    private AnswerEncoding() {
    }

    /** {@code {"error": message}}, the message on one line ({@link BadAdmissionReview#oneLine}). */
    static byte[] error(String message) {
        String line = BadAdmissionReview.oneLine(message);
        ByteArrayBuilder out = new ByteArrayBuilder(16 + line.length());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", line);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an error answer", e);
        }
        return out.toByteArray();
    }

    /**
     * The response AdmissionReview: {@code uid}, {@code allowed: true}, {@code patch} (base64) with
     * {@code patchType: JSONPatch} when there is a patch, {@code warnings} when there are any.
     */
    static byte[] review(String uid, byte[] patch, List<String> warnings) {
        if (warnings.isEmpty() && writtenAsIs(uid)) {
            return assemble(uid, patch);
        }
        return generate(uid, patch, warnings);
    }

    private static final byte[] ANSWER_HEAD = ("{\"apiVersion\":\"" + AdmissionReviewHandler.API_VERSION + "\",\"kind\":\"" + AdmissionReviewHandler.KIND
            + "\",\"response\":{\"uid\":\"").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALLOWED = "\",\"allowed\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PATCH_HEAD = ",\"patchType\":\"JSONPatch\",\"patch\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PATCH_TAIL = "\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ANSWER_TAIL = "}}".getBytes(StandardCharsets.US_ASCII);

    /**
     * The common answer (no warnings, a UUID-like uid) as one array of exactly its size: the same bytes
     * {@link #generate} writes, without a generator, a growing buffer and a final copy.
     */
    private static byte[] assemble(String uid, byte[] patch) {
        int size = ANSWER_HEAD.length + uid.length() + ALLOWED.length + ANSWER_TAIL.length
                + (patch == null ? 0 : PATCH_HEAD.length + patch.length + PATCH_TAIL.length);
        byte[] out = new byte[size];
        int at = put(out, 0, ANSWER_HEAD);
        for (int i = 0; i < uid.length(); i++) {
            out[at++] = (byte) uid.charAt(i); // ASCII only (writtenAsIs): one byte per char
        }
        at = put(out, at, ALLOWED);
        if (patch != null) {
            at = put(out, at, PATCH_HEAD);
            at = put(out, at, patch);
            at = put(out, at, PATCH_TAIL);
        }
        put(out, at, ANSWER_TAIL);
        return out;
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    /** Printable ASCII other than {@code "} and {@code \}: characters JSON (and Jackson) write unescaped. */
    static boolean writtenAsIs(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * Longest warning, in characters: the API server truncates longer ones (Kubernetes documents 256), and a warning
     * quotes pod-supplied names of any length (mutating admission runs before the object is validated).
     */
    static final int MAX_WARNING_CHARS = 256;
    /** All warnings of one answer together, in characters: the API server drops warnings past 4096 characters. */
    static final int MAX_WARNINGS_CHARS = 4096;

    /** The warnings as the answer carries them: each cut to {@link #MAX_WARNING_CHARS}, and none past {@link #MAX_WARNINGS_CHARS} in all. */
    static List<String> bounded(List<String> warnings) {
        List<String> kept = new java.util.ArrayList<>(warnings.size());
        int total = 0;
        for (String warning : warnings) {
            String cut = warning.length() <= MAX_WARNING_CHARS ? warning : LogText.cut(warning, MAX_WARNING_CHARS - 1) + "\u2026";
            if (total + cut.length() > MAX_WARNINGS_CHARS) {
                break;
            }
            total += cut.length();
            kept.add(cut);
        }
        return kept;
    }

    /** Any answer, through Jackson (escaping the uid and the warnings, {@linkplain #bounded bounded}). */
    static byte[] generate(String uid, byte[] patch, List<String> warnings) {
        ByteArrayBuilder out = new ByteArrayBuilder(patch == null ? 160 : 192 + patch.length);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("apiVersion", AdmissionReviewHandler.API_VERSION);
            g.writeStringField("kind", AdmissionReviewHandler.KIND);
            g.writeObjectFieldStart("response");
            g.writeStringField("uid", uid);
            g.writeBooleanField("allowed", true);
            if (patch != null) {
                g.writeStringField("patchType", "JSONPatch");
                g.writeFieldName("patch");
                // base64 needs no JSON escaping: copied as it is, not character by character
                g.writeRawUTF8String(patch, 0, patch.length);
            }
            if (!warnings.isEmpty()) {
                g.writeArrayFieldStart("warnings");
                for (String warning : bounded(warnings)) {
                    g.writeString(warning);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the AdmissionReview response", e);
        }
        return out.toByteArray();
    }
}
