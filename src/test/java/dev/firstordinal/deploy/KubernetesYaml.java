package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * YAML documents to fabric8 objects, strictly: the object's apiVersion/kind must be a type fabric8
 * knows (or a custom resource of an allowed group), and no field may be unknown to the model: a
 * misspelt field ({@code readOnlyRootFileSystem}) that the API server would drop or reject fails.
 */
final class KubernetesYaml {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** Custom resources the manifests may contain; fabric8 has no typed model for them. */
    static final Set<String> CUSTOM_RESOURCE_API_VERSIONS = Set.of("velero.io/v1", "cert-manager.io/v1", "monitoring.coreos.com/v1");

    private KubernetesYaml() {
    }

    /** The documents of a (multi-document) YAML text, without empty or comment-only documents. */
    static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    static List<JsonNode> documents(Path file) {
        return documents(DeployTree.read(file));
    }

    static boolean isKubernetesObject(JsonNode doc) {
        return doc.isObject() && doc.hasNonNull("apiVersion") && doc.hasNonNull("kind");
    }

    static boolean isKustomize(JsonNode doc) {
        return doc.path("apiVersion").asText().startsWith("kustomize.config.k8s.io/");
    }

    /** A typed fabric8 object, or a GenericKubernetesResource for an allowed custom resource. */
    static HasMetadata toObject(JsonNode doc) {
        String apiVersion = doc.path("apiVersion").asText();
        String kind = doc.path("kind").asText();
        Class<? extends KubernetesResource> type = SERIALIZATION.getRegisteredKubernetesResource(apiVersion, kind);
        if (type == null) {
            if (!CUSTOM_RESOURCE_API_VERSIONS.contains(apiVersion)) {
                throw new IllegalArgumentException(apiVersion + " " + kind + " is neither a Kubernetes type known to fabric8 nor an allowed custom resource " + CUSTOM_RESOURCE_API_VERSIONS);
            }
            return SERIALIZATION.convertValue(doc, GenericKubernetesResource.class);
        }
        if (!HasMetadata.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(apiVersion + " " + kind + " is not an object with metadata");
        }
        return (HasMetadata) SERIALIZATION.convertValue(doc, type);
    }

    static List<HasMetadata> objects(String yaml) {
        return documents(yaml).stream().filter(KubernetesYaml::isKubernetesObject).map(KubernetesYaml::toObject).toList();
    }

    static List<HasMetadata> objects(Path file) {
        return objects(DeployTree.read(file));
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = all(objects, type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + " named " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Paths of fields fabric8's model does not know, found in its {@code additionalProperties}
     * anywhere in the object. Custom resources (no schema here) are not walked.
     */
    static List<String> unknownFields(Object object) {
        List<String> unknown = new ArrayList<>();
        walk(object, "", unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
        return unknown;
    }

    private static void walk(Object value, String path, List<String> unknown, Set<Object> seen) {
        if (value == null || value instanceof GenericKubernetesResource) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        Class<?> type = value.getClass();
        if (!type.getName().startsWith("io.fabric8.kubernetes.api.model") || type.isEnum() || !seen.add(value)) {
            return;
        }
        for (Method getter : type.getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child = invoke(getter, value, path);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra) {
                    // "$patch", "$setElementOrder/..." are strategic-merge-patch directives, not fields.
                    extra.keySet().stream().filter(k -> !String.valueOf(k).startsWith("$")).forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                String property = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                walk(child, path + "." + property, unknown, seen);
            }
        }
    }

    private static Object invoke(Method getter, Object target, String path) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + path + " via " + getter, e);
        }
    }
}
