package dev.firstordinal.admission;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.TreeNode;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;

import static dev.firstordinal.admission.JsonTokens.expect;
import static dev.firstordinal.admission.JsonTokens.malformed;
import static dev.firstordinal.admission.JsonTokens.text;

/**
 * Reads an AdmissionReview in one streaming pass, keeping only what the webhook uses: the review's
 * {@code apiVersion}/{@code kind}, the request's uid, kind, operation, subresource, name and
 * namespace, and of a pod being created its metadata (name, namespace, labels, annotations,
 * ownerReferences) and its containers' names and images ({@link MinimalPodReader}). Everything else is checked to be
 * well-formed JSON (within {@link Json#MAX_NESTING_DEPTH}) and skipped.
 *
 * <p>Why not bind the review to fabric8's {@code AdmissionReview}: its {@code request.object} is
 * a polymorphic {@code KubernetesResource}, whose deserializer loads the whole fabric8 model (some
 * thousands of classes, tens of MiB of metaspace) and binds every field of the pod (env vars,
 * volumes, probes) on every request. The profile showed that binding as most of the webhook's
 * CPU; this reader allocates only the few strings and maps the rule reads. The pod is still a
 * fabric8 {@link Pod}, so {@code FirstOrdinalRule} is unchanged.
 *
 * <p>Fields it reads must have the JSON type Kubernetes gives them (a string, a map of strings, a
 * list of objects); otherwise the body is malformed, as it was with full binding. Fields it skips
 * are only checked to be JSON.
 */
final class AdmissionReviewReader {

    private static final JsonFactory JSON = Json.MAPPER.getFactory();

    /** The parts of {@code admission.k8s.io/v1} AdmissionReview the webhook uses. */
    record Review(String apiVersion, String kind, Request request) {
    }

    /**
     * @param object the pod when the request is a CREATE of a pod and carries an object; null otherwise
     */
    record Request(String uid, String group, String kind, String operation, String subResource, String name,
                   String namespace, boolean hasObject, Pod object) {

        /** A CREATE of a pod itself (core group, not a subresource). */
        boolean createsPod() {
            return "CREATE".equals(operation) && "Pod".equals(kind) && (group == null || group.isEmpty())
                    && (subResource == null || subResource.isEmpty());
        }
    }

    private AdmissionReviewReader() {
    }

    /** The review, or null for a body that is JSON {@code null}. */
    static Review read(byte[] body) throws IOException, BadAdmissionReview {
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw malformed(p, "no JSON content");
            }
            if (first == JsonToken.VALUE_NULL) {
                return null;
            }
            expect(p, JsonToken.START_OBJECT, "an AdmissionReview must be a JSON object");
            String apiVersion = null;
            String kind = null;
            Request request = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "apiVersion" -> apiVersion = text(p, "apiVersion");
                    case "kind" -> kind = text(p, "kind");
                    case "request" -> request = p.currentToken() == JsonToken.VALUE_NULL ? null : request(p);
                    default -> p.skipChildren();
                }
            }
            // One JSON value and nothing after it (whitespace aside): trailing bytes mean this is not the review it looks like.
            JsonToken after = p.nextToken();
            if (after != null) {
                throw malformed(p, "unexpected " + JsonTokens.describe(after) + " after the AdmissionReview object");
            }
            return new Review(apiVersion, kind, request);
        }
    }

    private static Request request(JsonParser p) throws IOException, BadAdmissionReview {
        expect(p, JsonToken.START_OBJECT, "request must be an object");
        String uid = null;
        String group = null;
        String kind = null;
        String operation = null;
        String subResource = null;
        String name = null;
        String namespace = null;
        boolean hasObject = false;
        Pod pod = null;
        TreeNode unreadObject = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "uid" -> uid = text(p, "request.uid");
                case "kind" -> {
                    String[] gvk = groupAndKind(p);
                    group = gvk[0];
                    kind = gvk[1];
                }
                case "operation" -> operation = text(p, "request.operation");
                case "subResource" -> subResource = text(p, "request.subResource");
                case "name" -> name = text(p, "request.name");
                case "namespace" -> namespace = text(p, "request.namespace");
                case "object" -> {
                    if (p.currentToken() == JsonToken.VALUE_NULL) {
                        break;
                    }
                    expect(p, JsonToken.START_OBJECT, "request.object must be an object");
                    hasObject = true;
                    boolean knownPodCreate = "CREATE".equals(operation) && "Pod".equals(kind) && (group == null || group.isEmpty());
                    if (knownPodCreate) {
                        pod = MinimalPodReader.pod(p);
                    } else if (operation == null || kind == null) {
                        // The API server sends kind and operation first; for any other order, keep the object until they are known.
                        unreadObject = p.readValueAsTree();
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        Request request = new Request(uid, group, kind, operation, subResource, name, namespace, hasObject, pod);
        if (pod == null && unreadObject != null && request.createsPod()) {
            try (JsonParser objectParser = unreadObject.traverse(p.getCodec())) {
                objectParser.nextToken();
                pod = MinimalPodReader.pod(objectParser);
            }
            request = new Request(uid, group, kind, operation, subResource, name, namespace, true, pod);
        }
        return request;
    }

    private static String[] groupAndKind(JsonParser p) throws IOException, BadAdmissionReview {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return new String[2];
        }
        expect(p, JsonToken.START_OBJECT, "request.kind must be an object");
        String[] gvk = new String[2];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "group" -> gvk[0] = text(p, "request.kind.group");
                case "kind" -> gvk[1] = text(p, "request.kind.kind");
                case "version" -> text(p, "request.kind.version");
                default -> p.skipChildren();
            }
        }
        return gvk;
    }
}
