package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboard plots the metrics the webhook exports, under the names docs/observability.md documents. */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = DeployTree.ROOT.resolve("grafana/first-ordinal-dashboard.json");

    @Test
    void everyPanelQueriesADocumentedMetricOfTheSelectedWebhook() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        String readme = Files.readString(Path.of("docs/observability.md"));

        assertThat(dashboard.path("uid").asText()).isEqualTo("first-ordinal");
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).containsExactly("datasource", "service");
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
            panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText()));
        });
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(5);
        Pattern metric = Pattern.compile("\\b(first_ordinal_[a-z_]+?)(_bucket|_total)?\\{");
        for (String expr : expressions) {
            assertThat(expr).contains("service=\"$service\"");
            Matcher m = metric.matcher(expr);
            while (m.find()) {
                String name = m.group(1) + (m.group(2) == null || m.group(2).equals("_bucket") ? "" : m.group(2));
                assertThat(readme).as("%s is a documented metric", name).contains("`" + name + "`");
            }
        }
        assertThat(String.join("\n", expressions)).contains("first_ordinal_statefulsets", "first_ordinal_admission_requests_total",
                "first_ordinal_admission_seconds_bucket", "first_ordinal_certificate_expiry_seconds", "up{");
    }
}
