package dev.firstordinal.testing;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.MarkingPolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** AdmissionReview fixtures under {@code src/test/resources/admission}: {@code <case>.review.json}, {@code <case>.expected.json} (absent: no patch), {@code <case>.warnings.txt}. */
public final class Fixtures {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String HOOK_COMMAND_PLACEHOLDER = "${HOOK_COMMAND}";
    /** Stands for the shipped hook's identity ({@code first-ordinal.dev/hook}), which changes with the script. */
    public static final String HOOK_IDENTITY_PLACEHOLDER = "${HOOK_IDENTITY}";

    private Fixtures() {
    }

    public static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/admission").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Stream<String> caseNames() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".review.json"))
                    .map(n -> n.substring(0, n.length() - ".review.json".length()))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    public static byte[] reviewBytes(String name) {
        return read(dir().resolve(name + ".review.json"));
    }

    public static ObjectNode review(String name) {
        return (ObjectNode) tree(reviewBytes(name));
    }

    /** The expected pod after the patch, with the hook command placeholder replaced. */
    public static Optional<JsonNode> expectedPod(String name, String hookCommand) {
        Path file = dir().resolve(name + ".expected.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = new String(read(file), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode node = tree(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        replaceCommand(node, hookCommand);
        return Optional.of(node);
    }

    public static List<String> expectedWarnings(String name) {
        Path file = dir().resolve(name + ".warnings.txt");
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ArrayNode decodePatch(JsonNode response) {
        return (ArrayNode) tree(Base64.getDecoder().decode(response.at("/response/patch").asText()));
    }

    /** A copy of the review with {@code request.object} replaced. */
    public static byte[] withObject(ObjectNode review, JsonNode object) {
        ObjectNode copy = review.deepCopy();
        ((ObjectNode) copy.get("request")).set("object", object);
        try {
            return JSON.writeValueAsBytes(copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void replaceCommand(JsonNode pod, String hookCommand) {
        JsonNode annotations = pod.path("metadata").path("annotations");
        if (annotations instanceof ObjectNode map
                && HOOK_COMMAND_PLACEHOLDER.equals(map.path("pre.hook.backup.velero.io/command").asText(null))) {
            map.put("pre.hook.backup.velero.io/command", hookCommand);
        }
        if (annotations instanceof ObjectNode map && HOOK_IDENTITY_PLACEHOLDER.equals(map.path(HookAnnotations.IDENTITY).asText(null))) {
            map.put(HookAnnotations.IDENTITY, MarkingPolicy.defaults().hook().identity());
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
