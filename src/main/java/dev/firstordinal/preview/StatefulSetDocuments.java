package dev.firstordinal.preview;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The StatefulSets of a multi-document YAML stream (e.g. {@code helm template} output). Empty
 * documents are skipped, {@code kind: List} is unwrapped, other kinds are counted and ignored.
 */
public final class StatefulSetDocuments {

    /** Rendered charts can be large; SnakeYAML's default limit is 3 MB. */
    private static final int MAX_INPUT_CODE_POINTS = 64 * 1024 * 1024;

    private static final ObjectMapper YAML;

    static {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit(MAX_INPUT_CODE_POINTS);
        YAML = new YAMLMapper(YAMLFactory.builder().loaderOptions(loader).build())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The StatefulSets, in input order, and the kinds of the other documents. */
    public record Parsed(List<StatefulSet> statefulSets, List<String> otherKinds) {
    }

    /** Input that is not YAML, or a StatefulSet that is not a valid one: a one-line message. */
    public static final class BadInput extends Exception {
        BadInput(String message) {
            super(message.replaceAll("\\s+", " ").trim(), null, false, false);
        }
    }

    private StatefulSetDocuments() {
    }

    public static Parsed parse(InputStream in, String source) throws BadInput, IOException {
        List<StatefulSet> sets = new ArrayList<>();
        List<String> others = new ArrayList<>();
        int document = 0;
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(in)) {
            while (documents.hasNextValue()) {
                document++;
                collect(documents.nextValue(), source, document, sets, others);
            }
        } catch (JsonProcessingException e) {
            throw new BadInput(source + ": not valid YAML" + (document > 0 ? " after document " + document : "") + ": "
                    + e.getOriginalMessage() + location(e));
        } catch (RuntimeException e) {
            if (e.getCause() instanceof JsonProcessingException j) {
                throw new BadInput(source + ": not valid YAML after document " + document + ": " + j.getOriginalMessage() + location(j));
            }
            throw e;
        }
        return new Parsed(sets, new ArrayList<>(new TreeSet<>(others)));
    }

    private static void collect(JsonNode node, String source, int document, List<StatefulSet> sets, List<String> others) throws BadInput {
        if (node == null || node.isNull() || node.isMissingNode() || (node.isObject() && node.isEmpty())
                || (node.isTextual() && node.asText().isBlank())) { // an empty document, e.g. only a "# Source:" comment
            return;
        }
        if (!node.isObject()) {
            throw new BadInput(source + ": document " + document + " is not a Kubernetes object (a " + node.getNodeType().name().toLowerCase() + ")");
        }
        String kind = node.path("kind").asText("");
        if (kind.equals("List") && node.path("items").isArray()) {
            for (JsonNode item : node.get("items")) {
                collect(item, source, document, sets, others);
            }
            return;
        }
        String apiVersion = node.path("apiVersion").asText("");
        if (!kind.equals("StatefulSet") || !apiVersion.equals("apps/v1")) {
            // A StatefulSet of an old API version is named with it: "found StatefulSet" alone reads like a bug.
            others.add(kind.isEmpty() ? "(no kind)" : kind.equals("StatefulSet") ? "StatefulSet " + (apiVersion.isEmpty()
                    ? "without apiVersion" : apiVersion) + ", not apps/v1" : kind);
            return;
        }
        String name = node.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            throw new BadInput(source + ": the StatefulSet in document " + document + " has no metadata.name");
        }
        try {
            sets.add(YAML.treeToValue(node, StatefulSet.class));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new BadInput(source + ": StatefulSet '" + name + "' (document " + document + ") is not valid: " + message);
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
