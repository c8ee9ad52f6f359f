package dev.firstordinal.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.TreeNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an AdmissionReview in one streaming pass, keeping only what the webhook uses: the review's
 * {@code apiVersion}/{@code kind}, the request's uid, kind, operation, subresource, name and
 * namespace, and of a pod being created its metadata (name, namespace, labels, annotations,
 * ownerReferences) and its containers' names and images. Everything else is checked to be
 * well-formed JSON (within {@link AdmissionJson#MAX_NESTING_DEPTH}) and skipped.
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

    private static final JsonFactory JSON = AdmissionJson.MAPPER.getFactory();

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
                        pod = pod(p);
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
                pod = pod(objectParser);
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

    private static Pod pod(JsonParser p) throws IOException, BadAdmissionReview {
        Pod pod = new Pod();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "apiVersion" -> pod.setApiVersion(text(p, "object.apiVersion"));
                case "kind" -> pod.setKind(text(p, "object.kind"));
                case "metadata" -> pod.setMetadata(metadata(p));
                case "spec" -> pod.setSpec(spec(p));
                default -> p.skipChildren();
            }
        }
        return pod;
    }

    private static ObjectMeta metadata(JsonParser p) throws IOException, BadAdmissionReview {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "object.metadata must be an object");
        ObjectMeta metadata = new ObjectMeta();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> metadata.setName(text(p, "metadata.name"));
                case "generateName" -> metadata.setGenerateName(text(p, "metadata.generateName"));
                case "namespace" -> metadata.setNamespace(text(p, "metadata.namespace"));
                case "labels" -> metadata.setLabels(stringMap(p, "metadata.labels must be a map of strings", "metadata.labels value"));
                case "annotations" -> metadata.setAnnotations(stringMap(p, "metadata.annotations must be a map of strings", "metadata.annotations value"));
                case "ownerReferences" -> metadata.setOwnerReferences(ownerReferences(p));
                default -> p.skipChildren();
            }
        }
        return metadata;
    }

    /** The messages are constants: building them for every label would cost more than reading the label. */
    private static Map<String, String> stringMap(JsonParser p, String notAMap, String valueWhat) throws IOException, BadAdmissionReview {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, notAMap);
        Map<String, String> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            map.put(key, text(p, valueWhat));
        }
        return map;
    }

    private static List<OwnerReference> ownerReferences(JsonParser p) throws IOException, BadAdmissionReview {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_ARRAY, "metadata.ownerReferences must be a list");
        List<OwnerReference> owners = new ArrayList<>(1);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                owners.add(null);
                continue;
            }
            expect(p, JsonToken.START_OBJECT, "each of metadata.ownerReferences must be an object");
            OwnerReference owner = new OwnerReference();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "apiVersion" -> owner.setApiVersion(text(p, "ownerReference.apiVersion"));
                    case "kind" -> owner.setKind(text(p, "ownerReference.kind"));
                    case "name" -> owner.setName(text(p, "ownerReference.name"));
                    case "uid" -> owner.setUid(text(p, "ownerReference.uid"));
                    case "controller" -> owner.setController(bool(p, "ownerReference.controller"));
                    default -> p.skipChildren();
                }
            }
            owners.add(owner);
        }
        return owners;
    }

    private static PodSpec spec(JsonParser p) throws IOException, BadAdmissionReview {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "object.spec must be an object");
        PodSpec spec = new PodSpec();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if ("containers".equals(field)) {
                spec.setContainers(containers(p));
            } else {
                p.skipChildren();
            }
        }
        return spec;
    }

    private static List<Container> containers(JsonParser p) throws IOException, BadAdmissionReview {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return new ArrayList<>();
        }
        expect(p, JsonToken.START_ARRAY, "spec.containers must be a list");
        List<Container> containers = new ArrayList<>(2);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                containers.add(null);
                continue;
            }
            expect(p, JsonToken.START_OBJECT, "each of spec.containers must be an object");
            Container container = new Container();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> container.setName(text(p, "container.name"));
                    case "image" -> container.setImage(text(p, "container.image"));
                    default -> p.skipChildren();
                }
            }
            containers.add(container);
        }
        return containers;
    }

    /** A string field: scalars are taken as their text (as Jackson's binding does), objects and arrays are malformed. */
    private static String text(JsonParser p, String what) throws IOException, BadAdmissionReview {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token.isScalarValue()) {
            return p.getText();
        }
        throw malformed(p, what + " must be a string, not " + describe(token));
    }

    private static Boolean bool(JsonParser p, String what) throws IOException, BadAdmissionReview {
        JsonToken token = p.currentToken();
        return switch (token) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_STRING -> switch (p.getText()) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw malformed(p, what + " must be true or false, not \"" + p.getText() + "\"");
            };
            default -> throw malformed(p, what + " must be true or false, not " + describe(token));
        };
    }

    private static void expect(JsonParser p, JsonToken expected, String message) throws BadAdmissionReview {
        if (p.currentToken() != expected) {
            throw malformed(p, message + ", not " + describe(p.currentToken()));
        }
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "the end of input";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    private static BadAdmissionReview malformed(JsonParser p, String message) {
        var location = p.currentTokenLocation();
        return new BadAdmissionReview("malformed AdmissionReview: " + message
                + (location == null ? "" : " (at line " + location.getLineNr() + ", column " + location.getColumnNr() + ")"));
    }

    /** Jackson's own errors (syntax, nesting depth) with their location, as one line. */
    static BadAdmissionReview malformed(JsonProcessingException e) {
        var location = e.getLocation();
        return new BadAdmissionReview("malformed AdmissionReview: " + e.getOriginalMessage()
                + (location == null ? "" : " (at line " + location.getLineNr() + ", column " + location.getColumnNr() + ")"));
    }
}
