package dev.firstordinal.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.MarkingPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyManifestsTest {

    private static final Path SHIPPED = Path.of("deploy/kubernetes/overlays/policy/mutatingadmissionpolicy.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theShippedPolicyIsExactlyWhatTheRendererMakesFromTheDefaults() throws Exception {
        assertThat(Files.readString(SHIPPED))
                .as("%s is stale: regenerate it with `first-ordinal policy > %s`", SHIPPED, SHIPPED)
                .isEqualTo(PolicyManifests.yaml(MarkingPolicy.defaults(), PolicyManifests.Settings.defaults()));
    }

    @Test
    void thePolicyCarriesTheWebhooksHookCommandOnceAndItsOptInAndExclusions() throws Exception {
        String yaml = PolicyManifests.yaml(MarkingPolicy.defaults(), PolicyManifests.Settings.defaults());
        List<JsonNode> documents = documents(yaml);
        JsonNode spec = documents.get(0).get("spec");
        String hookCommand = spec.get("variables").findValues("expression").stream()
                .filter(e -> e.asText().contains("first-ordinal hook")).findFirst().orElseThrow().asText();
        assertThat(YAML.readValue(hookCommand, String.class)).as("the CEL literal is the webhook's annotation value")
                .isEqualTo(MarkingPolicy.defaults().hook().command());
        assertThat(spec.findValues("expression").stream().filter(e -> e.asText().contains("first-ordinal hook")))
                .as("the script appears once: in the variable the patch refers to").hasSize(1);
        assertThat(spec.at("/matchConstraints/namespaceSelector/matchLabels/first-ordinal.dev~1backup").asText()).isEqualTo("enabled");
        assertThat(spec.at("/matchConstraints/namespaceSelector/matchExpressions/0/values").toString())
                .isEqualTo("[\"kube-system\",\"first-ordinal\"]");
        assertThat(spec.get("failurePolicy").asText()).isEqualTo("Ignore");
        assertThat(spec.get("reinvocationPolicy").asText()).isEqualTo("IfNeeded");
        JsonNode binding = documents.get(1);
        assertThat(binding.at("/spec/paramRef/name").asText()).isEqualTo(StartOrdinalParams.DEFAULT_NAME);
        assertThat(binding.at("/spec/paramRef/namespace").asText()).isEqualTo("first-ordinal");
        assertThat(binding.at("/spec/policyName").asText()).isEqualTo(documents.get(0).at("/metadata/name").asText());
    }

    @Test
    void anotherLabelAndHookTimeoutChangeThePatchAndTheScriptsDeadline() throws Exception {
        MarkingPolicy custom = MarkingPolicy.of("example.com/backup", "nightly", "Continue", "60s");
        String patch = new PolicyCel(custom).jsonPatch();
        assertThat(patch).contains("\"/metadata/labels/example.com~1backup\"").contains("\"Continue\"").contains("\"60s\"")
                .doesNotContain("velero-backup-schedule");
        assertThat(new PolicyCel(custom).variables().get("hookCommand")).isEqualTo(PolicyCel.quote(custom.hook().command()));
        assertThat(new PolicyCel(custom).variables().get("labelValue")).endsWith(": \"nightly\"");
        for (String key : HookAnnotations.KEYS) {
            assertThat(patch).contains(PolicyCel.pointerToken(key));
        }
    }

    @Test
    void aCelStringLiteralKeepsQuotesBackslashesAndNewlines() {
        assertThat(PolicyCel.quote("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\nd\"");
        assertThat(PolicyCel.pointerToken("a~b/c")).isEqualTo("a~0b~1c");
    }

    private static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                documents.add(it.next());
            }
        }
        return documents;
    }
}
