package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/install.md's "Helm chart values" names every top-level value of the chart's values.yaml (issue 30 #12). */
class InstallValuesListTest {

    @Test
    void theInstallPagesValuesListNamesEveryTopLevelValue() throws Exception {
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(DeployTree.read(DeployTree.CHART.resolve("values.yaml")));
        String install = DeployTree.read(Path.of("docs", "install.md").toAbsolutePath());
        int start = install.indexOf("\n## Helm chart values\n");
        assertThat(start).as("docs/install.md has a Helm chart values section").isPositive();
        int end = install.indexOf("\n## ", start + 1);
        String section = install.substring(start, end < 0 ? install.length() : end);

        List<String> missing = new ArrayList<>();
        values.fieldNames().forEachRemaining(key -> {
            if (!section.contains("`" + key + "`") && !section.contains("`" + key + ".")) {
                missing.add(key);
            }
        });
        assertThat(missing).as("values.yaml keys that docs/install.md's values list does not name").isEmpty();
    }
}
