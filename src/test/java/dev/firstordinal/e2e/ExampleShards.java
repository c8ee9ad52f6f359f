package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code deploy/examples/redis-sentinel} as several shards: its objects (ConfigMap, Services, StatefulSet) once per
 * shard with {@code redis-shard-0} renamed, and its Namespace once.
 */
final class ExampleShards {

    static final Path EXAMPLE = Path.of("deploy/examples/redis-sentinel").toAbsolutePath();
    private static final ObjectMapper YAML = new YAMLMapper();

    private ExampleShards() {
    }

    /** The example's objects for each of {@code shards}; {@code podManagementPolicy} replaces the shipped one when not null. */
    static String yaml(ControlPlane cluster, List<String> shards, String podManagementPolicy) {
        try {
            String example = cluster.kubectl(null, "kustomize", EXAMPLE.toString()).orThrow().stdout();
            List<JsonNode> docs = new ArrayList<>();
            try (var parser = new YAMLFactory().createParser(example)) {
                YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
            }
            StringBuilder out = new StringBuilder();
            for (JsonNode doc : docs) {
                if (doc.path("kind").asText().equals("Namespace")) {
                    out.append("---\n").append(YAML.writeValueAsString(doc));
                }
            }
            for (String shard : shards) {
                for (JsonNode doc : docs) {
                    if (doc.path("kind").asText().equals("Namespace")) {
                        continue;
                    }
                    JsonNode renamed = YAML.readTree(YAML.writeValueAsString(doc).replace("redis-shard-0", shard));
                    if (podManagementPolicy != null && renamed.path("kind").asText().equals("StatefulSet")) {
                        ((ObjectNode) renamed.get("spec")).put("podManagementPolicy", podManagementPolicy);
                    }
                    out.append("---\n").append(YAML.writeValueAsString(renamed));
                }
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
