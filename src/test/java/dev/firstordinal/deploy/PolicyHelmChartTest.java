package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.policy.PolicyManifests;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.ReplicaTier;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chart's {@code mode: policy}: the policy it renders is the one {@code first-ordinal policy} renders for the same values. */
class PolicyHelmChartTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theChartsScheduleModeCelIsTheRenderersWithThePlaceholderLabelValue() throws Exception {
        assertThat(Files.readString(DeployTree.CHART.resolve("files/policy-cel-schedule.yaml")))
                .as("files/policy-cel-schedule.yaml is stale: regenerate it from PolicyManifests.rulesYaml (hook mode schedule)")
                .isEqualTo(PolicyManifests.rulesYaml(MarkingPolicy.of(MarkingPolicy.DEFAULT_LABEL_KEY, PolicyManifests.LABEL_VALUE_PLACEHOLDER,
                        "Fail", "300s", ReplicaTier.DEFAULT_SETTING, "schedule")));
    }

    @Test
    void theChartsCelIsTheRenderersWithThePlaceholderLabelValue() throws Exception {
        assertThat(Files.readString(DeployTree.CHART.resolve("files/policy-cel.yaml")))
                .as("files/policy-cel.yaml is stale: regenerate it from PolicyManifests.rulesYaml")
                .isEqualTo(PolicyManifests.rulesYaml(MarkingPolicy.of(MarkingPolicy.DEFAULT_LABEL_KEY, PolicyManifests.LABEL_VALUE_PLACEHOLDER,
                        "Fail", "300s")));
    }

    @Test
    void policyModeRendersTheSamePolicyAsTheCommandAndNoWebhook() throws Exception {
        List<JsonNode> objects = render(new Helm(DeployTree.CHART).template().withName("backup").withNamespace("backup-system")
                .withKubeVersion("1.36.0").withValuesFile(DeployTree.CHART.resolve("ci/policy-values.yaml")).call());
        assertThat(objects).extracting(o -> o.get("kind").asText()).doesNotContain("MutatingWebhookConfiguration", "Service")
                .contains("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "ConfigMap", "Deployment");
        assertThat(objects.stream().filter(o -> o.get("kind").asText().equals("Deployment")))
                .singleElement().satisfies(d -> assertThat(d.at("/spec/template/spec/containers/0/args/0").asText()).isEqualTo("policy-sync"));

        PolicyManifests.Settings settings = new PolicyManifests.Settings("backup-first-ordinal", NamespaceLabel.parse(NamespaceLabel.DEFAULT),
                List.of("kube-system", "monitoring", "backup-system"), "backup-system", "backup-first-ordinal-start-ordinals");
        MarkingPolicy marking = MarkingPolicy.of(MarkingPolicy.DEFAULT_LABEL_KEY, "nightly", "Fail", "300s");
        assertThat(only(objects, "MutatingAdmissionPolicy").get("spec")).isEqualTo(PolicyManifests.policy(marking, settings).get("spec"));
        assertThat(only(objects, "MutatingAdmissionPolicyBinding").get("spec")).isEqualTo(PolicyManifests.binding(settings).get("spec"));
    }

    @Test
    void policyModeWithTheScheduleHookModeRendersTheCommandsScheduleModePolicy() throws Exception {
        List<JsonNode> objects = render(new Helm(DeployTree.CHART).template().withName("backup").withNamespace("backup-system")
                .withKubeVersion("1.36.0").withValuesFile(DeployTree.CHART.resolve("ci/policy-values.yaml")).set("hook.mode", "schedule").call());

        PolicyManifests.Settings settings = new PolicyManifests.Settings("backup-first-ordinal", NamespaceLabel.parse(NamespaceLabel.DEFAULT),
                List.of("kube-system", "monitoring", "backup-system"), "backup-system", "backup-first-ordinal-start-ordinals");
        MarkingPolicy marking = MarkingPolicy.of(MarkingPolicy.DEFAULT_LABEL_KEY, "nightly", "Fail", "300s", ReplicaTier.DEFAULT_SETTING, "schedule");
        assertThat(only(objects, "MutatingAdmissionPolicy").get("spec")).isEqualTo(PolicyManifests.policy(marking, settings).get("spec"));
        assertThat(only(objects, "Deployment").at("/spec/template/spec/containers/0/env").toString())
                .contains("{\"name\":\"FIRST_ORDINAL_HOOK_MODE\",\"value\":\"schedule\"}");
    }

    @Test
    void aHookTimeoutTheChartCannotRenderFailsTheInstallWithWhatToDo() {
        assertThatThrownBy(() -> new Helm(DeployTree.CHART).template().withName("first-ordinal").withNamespace("first-ordinal")
                .withKubeVersion("1.36.0").set("mode", "policy").set("hook.timeout", "60s").call())
                .hasMessageContaining("first-ordinal policy");
        assertThatThrownBy(() -> new Helm(DeployTree.CHART).template().withName("first-ordinal").withNamespace("first-ordinal")
                .withKubeVersion("1.36.0").set("mode", "policies").call())
                .hasMessageContaining("/mode");
    }

    private static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = objects.stream().filter(o -> o.get("kind").asText().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static List<JsonNode> render(String yaml) throws Exception {
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode node = values.next();
                if (node != null && node.has("kind")) {
                    objects.add(node);
                }
            }
        }
        return objects;
    }
}
