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

/** What the README says about RBAC, timeouts, links and the image build matches what is shipped. */
class DocsDriftTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path README = Path.of("README.md");

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
    void readmeRbacSectionIsTheShippedClusterRole() throws IOException {
        String rbacSection = section(Files.readString(README), "## RBAC for the webhook");
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
    void everyWebhookTimeoutTheReadmeStatesIsTheShippedOne() throws IOException {
        int shipped = YAML.readTree(Path.of("deploy/kubernetes/base/mutatingwebhookconfiguration.yaml").toFile())
                .get("webhooks").get(0).get("timeoutSeconds").asInt();
        String readme = Files.readString(README);

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
    void relativeLinksInTheDocsPointAtFilesThatExist() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(README));
        for (String dir : List.of("docs", "deploy", "certs")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                files.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
            }
        }
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs) {
            Matcher m = link.matcher(Files.readString(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                checked++;
                Path resolved = doc.toAbsolutePath().getParent().resolve(target).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(doc + " -> " + target);
                }
            }
        }
        assertThat(checked).isPositive();
        assertThat(broken).isEmpty();
    }

    @Test
    void readmeBuildsTheImageWithCommandsThatWork() throws IOException {
        String build = String.join("\n", codeBlocks(section(Files.readString(README), "### 0. Build the image")));
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
