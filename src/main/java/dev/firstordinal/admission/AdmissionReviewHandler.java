package dev.firstordinal.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.patch.PodPatch;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
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

    private static final ObjectMapper JSON = AdmissionJson.MAPPER;

    private final FirstOrdinalRule rule;
    private final StartOrdinalLookup starts;

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
        AdmissionRequest request = requestOf(parse(body));
        Optional<Pod> pod = podBeingCreated(request);
        AdmissionResponse response = new AdmissionResponse();
        response.setUid(request.getUid());
        response.setAllowed(true);
        if (pod.isEmpty()) {
            return new Answer(encode(response), request.getNamespace(), request.getName(), Optional.empty());
        }
        String namespace = namespaceOf(request, pod.get());
        Decision decision = rule.decide(pod.get(), namespace, starts);
        if (decision.changesPod()) {
            byte[] patch = encode(PodPatch.additions(pod.get().getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd()));
            response.setPatchType("JSONPatch");
            response.setPatch(Base64.getEncoder().encodeToString(patch));
        }
        if (!decision.warnings().isEmpty()) {
            response.setWarnings(decision.warnings());
        }
        String name = pod.get().getMetadata() == null ? null : pod.get().getMetadata().getName();
        return new Answer(encode(response), namespace, name, Optional.of(decision));
    }

    private static AdmissionReview parse(byte[] body) throws BadAdmissionReview {
        if (body == null || body.length == 0) {
            throw new BadAdmissionReview("empty body: expected an admission.k8s.io/v1 AdmissionReview");
        }
        int invalidAt = invalidUtf8Offset(body);
        if (invalidAt >= 0) {
            throw new BadAdmissionReview("malformed AdmissionReview: body is not valid UTF-8 (at byte " + invalidAt + ")");
        }
        try {
            AdmissionReview review = JSON.readValue(body, AdmissionReview.class);
            if (review == null) {
                throw new BadAdmissionReview("body is JSON null: expected an admission.k8s.io/v1 AdmissionReview");
            }
            return review;
        } catch (JsonProcessingException e) {
            throw new BadAdmissionReview("malformed AdmissionReview: " + e.getOriginalMessage() + locationOf(e));
        } catch (IOException | RuntimeException e) {
            throw new BadAdmissionReview("malformed AdmissionReview: " + e.getMessage());
        }
    }

    /**
     * The offset of the first byte that is not well-formed UTF-8, or -1. The API server always sends
     * valid UTF-8; Jackson would read some invalid sequences into lone surrogates that it then
     * refuses to read back. Checked in 8 KiB steps, so a large body costs no extra memory.
     */
    static int invalidUtf8Offset(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(8192);
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

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static AdmissionRequest requestOf(AdmissionReview review) throws BadAdmissionReview {
        if (!API_VERSION.equals(review.getApiVersion()) || !KIND.equals(review.getKind())) {
            throw new BadAdmissionReview("expected apiVersion " + API_VERSION + " and kind " + KIND + ", got apiVersion "
                    + review.getApiVersion() + " and kind " + review.getKind());
        }
        AdmissionRequest request = review.getRequest();
        if (request == null) {
            throw new BadAdmissionReview("AdmissionReview has no request");
        }
        if (request.getUid() == null || request.getUid().isBlank()) {
            throw new BadAdmissionReview("AdmissionReview request has no uid");
        }
        return request;
    }

    /** The pod, when the request is a CREATE of a pod (not of a subresource); empty otherwise. */
    private static Optional<Pod> podBeingCreated(AdmissionRequest request) throws BadAdmissionReview {
        if (!"CREATE".equals(request.getOperation()) || !isPod(request.getKind()) || hasText(request.getSubResource())) {
            return Optional.empty();
        }
        Object object = request.getObject();
        if (object == null) {
            throw new BadAdmissionReview("AdmissionReview request for a pod CREATE has no object");
        }
        if (object instanceof Pod pod) {
            return Optional.of(pod);
        }
        try {
            return Optional.of(JSON.convertValue(object, Pod.class));
        } catch (IllegalArgumentException e) {
            throw new BadAdmissionReview("request.object is not a Pod: " + e.getMessage());
        }
    }

    private static boolean isPod(GroupVersionKind kind) {
        return kind != null && "Pod".equals(kind.getKind()) && (kind.getGroup() == null || kind.getGroup().isEmpty());
    }

    private static String namespaceOf(AdmissionRequest request, Pod pod) {
        if (hasText(request.getNamespace())) {
            return request.getNamespace();
        }
        return pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
    }

    private static boolean hasText(String s) {
        return s != null && !s.isEmpty();
    }

    private static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private static byte[] encode(AdmissionResponse response) {
        AdmissionReview review = new AdmissionReview();
        review.setApiVersion(API_VERSION);
        review.setKind(KIND);
        review.setResponse(response);
        return encode((Object) review);
    }

}
