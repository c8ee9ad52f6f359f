package dev.firstordinal.admission;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.ordinal.StatefulSetOwner;
import dev.firstordinal.patch.PodPatch;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an {@code admission.k8s.io/v1} AdmissionReview into its response: decode, ask
 * {@link FirstOrdinalRule}, encode. The answer is always {@code allowed: true}; {@code patch} and
 * {@code patchType: JSONPatch} are present together, and only when something is added. Bodies that
 * are not a usable AdmissionReview raise {@link BadAdmissionReview} (HTTP 400), never anything else.
 */
public final class AdmissionReviewHandler {

    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";

    private static final ObjectMapper JSON = Json.MAPPER;

    private final FirstOrdinalRule rule;
    private final StartOrdinalLookup starts;
    /**
     * The last patch encoded. First-ordinal pods of one workload get the same patch (it depends only
     * on what is added and on whether the pod has labels and annotations at all), and encoding it
     * (JSON-escaping the hook script, then base64) is the largest cost of a marked pod's answer.
     */
    private volatile EncodedPatch lastPatch;

    private record EncodedPatch(boolean hasLabels, boolean hasAnnotations, Map<String, String> labels,
                                Map<String, String> annotations, byte[] base64) {

        boolean isFor(boolean hasLabels, boolean hasAnnotations, Map<String, String> labels, Map<String, String> annotations) {
            return this.hasLabels == hasLabels && this.hasAnnotations == hasAnnotations
                    && this.labels.equals(labels) && this.annotations.equals(annotations);
        }
    }

    public AdmissionReviewHandler(FirstOrdinalRule rule, StartOrdinalLookup starts) {
        this.rule = rule;
        this.starts = starts;
    }

    /** What was answered, and why: the HTTP edge logs and counts it. */
    public record Answer(byte[] body, String namespace, String pod, Optional<Decision> decision) {

        public boolean patched() {
            return decision.map(Decision::changesPod).orElse(false);
        }
    }

    public Answer handle(byte[] body) throws BadAdmissionReview {
        return handle(body, starts);
    }

    /** As {@link #handle(byte[])}, with start ordinals from {@code starts} (the HTTP edge passes a cache-only lookup first). */
    public Answer handle(byte[] body, StartOrdinalLookup starts) throws BadAdmissionReview {
        return answer(read(body), starts);
    }

    /** Reads and checks the review: the part of {@link #handle} that does not depend on start ordinals. */
    AdmissionReviewReader.Request read(byte[] body) throws BadAdmissionReview {
        return requestOf(parse(body));
    }

    /** The StatefulSet whose start ordinal a decision on this review needs: its namespace and name. */
    /**
     * The StatefulSet a pod under review belongs to, and the pod's ordinal in it (empty when its name has none).
     */
    record StatefulSetKey(String namespace, String name, java.util.OptionalInt ordinal) {

        StatefulSetKey(String namespace, String name) {
            this(namespace, name, java.util.OptionalInt.empty());
        }

        /** Whether a cached start cannot be right for this pod ({@link StartOrdinalLookup.StartOrdinal#ruledOut}). */
        boolean ruledOut(StartOrdinalLookup.StartOrdinal start) {
            return ordinal.isPresent() && start.ruledOut(ordinal.getAsInt());
        }

        boolean sameSet(String otherNamespace, String otherName) {
            return namespace.equals(otherNamespace) && name.equals(otherName);
        }
    }

    /**
     * The StatefulSet whose start ordinal {@link #answer} would ask for, so that the caller can resolve it first
     * (from memory, or on a worker) and decide once; empty when the review needs none (not a pod CREATE, no
     * object, no StatefulSet controller).
     */
    Optional<StatefulSetKey> statefulSetOf(AdmissionReviewReader.Request request) {
        if (!request.createsPod() || !request.hasObject() || request.object().getMetadata() == null) {
            return Optional.empty();
        }
        Pod pod = request.object();
        return StatefulSetOwner.controllerOf(pod.getMetadata()).map(owner -> new StatefulSetKey(namespaceOf(request, pod), owner.name(),
                dev.firstordinal.ordinal.PodOrdinal.of(pod.getMetadata(), owner.name())));
    }

    /** Answers a review already {@linkplain #read read}, with start ordinals from {@code starts}. */
    Answer answer(AdmissionReviewReader.Request request, StartOrdinalLookup starts) throws BadAdmissionReview {
        if (!request.createsPod()) {
            return new Answer(AnswerEncoding.review(request.uid(), null, List.of()), request.namespace(), request.name(), Optional.empty());
        }
        if (!request.hasObject()) {
            throw new BadAdmissionReview("AdmissionReview request for a pod CREATE has no object");
        }
        Pod pod = request.object();
        String namespace = namespaceOf(request, pod);
        // A CREATE: first-ordinal's stale marks on a pod being created are left for the repairer (as policy mode's CEL does).
        Decision decision = rule.decide(pod, namespace, starts).atAdmission();
        byte[] patch = decision.changesPod() ? patchFor(pod.getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd()) : null;
        String name = pod.getMetadata() == null ? null : pod.getMetadata().getName();
        return new Answer(AnswerEncoding.review(request.uid(), patch, decision.warnings()), namespace, name, Optional.of(decision));
    }

    private static AdmissionReviewReader.Review parse(byte[] body) throws BadAdmissionReview {
        if (body == null || body.length == 0) {
            throw new BadAdmissionReview("empty body: expected an admission.k8s.io/v1 AdmissionReview");
        }
        int invalidAt = invalidUtf8Offset(body);
        if (invalidAt >= 0) {
            throw new BadAdmissionReview("malformed AdmissionReview: body is not valid UTF-8 (at byte " + invalidAt + ")");
        }
        try {
            AdmissionReviewReader.Review review = AdmissionReviewReader.read(body);
            if (review == null) {
                throw new BadAdmissionReview("body is JSON null: expected an admission.k8s.io/v1 AdmissionReview");
            }
            return review;
        } catch (JsonProcessingException e) {
            throw JsonTokens.malformed(e);
        } catch (IOException | RuntimeException e) {
            throw new BadAdmissionReview("malformed AdmissionReview: " + e.getMessage());
        }
    }

    /**
     * The offset of the first byte that is not well-formed UTF-8, or -1. The API server always sends
     * valid UTF-8; Jackson would read some invalid sequences into lone surrogates that it then
     * refuses to read back. The ASCII prefix (all of a typical pod) is only scanned; the decoder
     * checks the rest in steps of at most 8 KiB, so a large body costs no extra memory.
     */
    static int invalidUtf8Offset(byte[] body) {
        int firstNonAscii = 0;
        while (firstNonAscii < body.length && body[firstNonAscii] > 0) {
            firstNonAscii++;
        }
        if (firstNonAscii < body.length && body[firstNonAscii] == 0) {
            // A NUL is valid UTF-8 but never in JSON text outside an escape; it is what UTF-16 and UTF-32 look like
            // (which Jackson would otherwise detect and decode): the API server sends UTF-8 only.
            return firstNonAscii;
        }
        if (firstNonAscii == body.length) {
            return -1;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // Every byte before firstNonAscii is a whole character, so decoding may start there.
        ByteBuffer in = ByteBuffer.wrap(body, firstNonAscii, body.length - firstNonAscii);
        CharBuffer out = CharBuffer.allocate(Math.min(8192, body.length - firstNonAscii + 1));
        for (int i = firstNonAscii; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                return decoder.flush(out).isError() ? in.position() : -1;
            }
            out.clear();
        }
    }

    private static AdmissionReviewReader.Request requestOf(AdmissionReviewReader.Review review) throws BadAdmissionReview {
        if (!API_VERSION.equals(review.apiVersion()) || !KIND.equals(review.kind())) {
            throw new BadAdmissionReview("expected apiVersion " + API_VERSION + " and kind " + KIND + ", got apiVersion "
                    + review.apiVersion() + " and kind " + review.kind());
        }
        AdmissionReviewReader.Request request = review.request();
        if (request == null) {
            throw new BadAdmissionReview("AdmissionReview has no request");
        }
        if (request.uid() == null || request.uid().isBlank()) {
            throw new BadAdmissionReview("AdmissionReview request has no uid");
        }
        return request;
    }

    private static String namespaceOf(AdmissionReviewReader.Request request, Pod pod) {
        if (request.namespace() != null && !request.namespace().isEmpty()) {
            return request.namespace();
        }
        return pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
    }

    /** The base64 (ASCII bytes) of the JSON patch that adds {@code labels} and {@code annotations}; never modified. */
    private byte[] patchFor(ObjectMeta metadata, Map<String, String> labels, Map<String, String> annotations) {
        boolean hasLabels = metadata.getLabels() != null && !metadata.getLabels().isEmpty();
        boolean hasAnnotations = metadata.getAnnotations() != null && !metadata.getAnnotations().isEmpty();
        EncodedPatch last = lastPatch;
        if (last != null && last.isFor(hasLabels, hasAnnotations, labels, annotations)) {
            return last.base64();
        }
        ArrayNode patch = PodPatch.additions(metadata, labels, annotations);
        byte[] base64;
        try {
            base64 = Base64.getEncoder().encode(JSON.writeValueAsBytes(patch));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the patch", e);
        }
        lastPatch = new EncodedPatch(hasLabels, hasAnnotations, Map.copyOf(labels), Map.copyOf(annotations), base64);
        return base64;
    }

}
