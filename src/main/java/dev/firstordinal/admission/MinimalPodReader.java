package dev.firstordinal.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

import static dev.firstordinal.admission.JsonTokens.bool;
import static dev.firstordinal.admission.JsonTokens.expect;
import static dev.firstordinal.admission.JsonTokens.text;

/**
 * Builds the minimal fabric8 {@link Pod} the rule reads from {@code request.object}: metadata name,
 * generateName, namespace, labels, annotations, ownerReferences; containers' names and images.
 * Everything else is skipped after being checked to be JSON.
 */
final class MinimalPodReader {

    private MinimalPodReader() {
    }

    static Pod pod(JsonParser p) throws IOException, BadAdmissionReview {
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
}
