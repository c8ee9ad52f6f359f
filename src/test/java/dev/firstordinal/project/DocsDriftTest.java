package dev.firstordinal.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the docs say about RBAC, timeouts and the image build matches what is shipped (links: {@link DocsLinksTest}). */
class DocsDriftTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path README = Path.of("README.md");
    private static final Path SECURITY = Path.of("docs/security.md");
    private static final Path INSTALL = Path.of("docs/install.md");

    /** README.md and every page under docs/. */
    static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(README));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertThat(start).as("section %s", heading).isNotNegative();
        int level = heading.indexOf(' ');
        Matcher next = Pattern.compile("\n#{1," + level + "} ").matcher(markdown);
        int end = next.find(start + heading.length() + 1) ? next.start() : markdown.length();
        return markdown.substring(start, end);
    }

    private static List<String> codeBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```[a-z]*\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void documentedWebhookRbacIsTheShippedClusterRole() throws IOException {
        String rbacSection = section(Files.readString(SECURITY), "## RBAC for the webhook");
        JsonNode documented = YAML.readTree(codeBlocks(rbacSection).get(0)).get("rules");

        JsonNode shipped = null;
        for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(Path.of("deploy/kubernetes/base/rbac.yaml"))).readAll()) {
            if ("ClusterRole".equals(doc.path("kind").asText())) {
                shipped = doc.get("rules");
            }
        }
        assertThat(shipped).isNotNull();
        assertThat(documented).isEqualTo(shipped);
    }

    @Test
    void everyWebhookTimeoutTheDocsStateIsTheShippedOne() throws IOException {
        int shipped = YAML.readTree(Path.of("deploy/kubernetes/base/mutatingwebhookconfiguration.yaml").toFile())
                .get("webhooks").get(0).get("timeoutSeconds").asInt();
        StringBuilder all = new StringBuilder();
        for (Path doc : docs()) {
            all.append(Files.readString(doc)).append('\n');
        }
        String readme = all.toString();

        Matcher stated = Pattern.compile("webhook timeout is (\\d+) ?s\\b").matcher(readme);
        int found = 0;
        while (stated.find()) {
            assertThat(Integer.parseInt(stated.group(1))).as(stated.group()).isEqualTo(shipped);
            found++;
        }
        Matcher seconds = Pattern.compile("timeoutSeconds: (\\d+)").matcher(readme);
        while (seconds.find()) {
            assertThat(Integer.parseInt(seconds.group(1))).as(seconds.group()).isEqualTo(shipped);
            found++;
        }
        assertThat(found).isPositive();
    }

    @Test
    void installPageBuildsTheImageWithCommandsThatWork() throws IOException {
        String build = String.join("\n", codeBlocks(section(Files.readString(INSTALL), "## 0. Build the image")));
        String dockerfile = Files.readString(Path.of("Dockerfile.jvm"));
        Matcher defaultBase = Pattern.compile("(?m)^ARG BASE_IMAGE=(\\S+)$").matcher(dockerfile);
        assertThat(defaultBase.find()).isTrue();

        assertThat(build).as("the tests need redis-server; the image needs only the jar").contains("./mvnw -B package -DskipTests");
        assertThat(build).doesNotContainPattern("(?m)^mvn ");
        Matcher arg = Pattern.compile("--build-arg BASE_IMAGE=(\\S+)").matcher(build);
        assertThat(arg.find()).as("plain Docker cannot resolve the Dockerfile's short name").isTrue();
        assertThat(arg.group(1)).contains("/").endsWith("/" + defaultBase.group(1));
    }
}
