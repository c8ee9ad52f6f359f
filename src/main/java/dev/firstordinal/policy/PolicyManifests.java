package dev.firstordinal.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.cli.ManifestYaml;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.MarkingPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The MutatingAdmissionPolicy and its binding ({@code admissionregistration.k8s.io/v1},
 * Kubernetes 1.36+) that do inside the API server what the webhook does: same namespaces (label
 * and exclusions), same label and hook annotations, same rules ({@link PolicyCel}). Pure.
 */
public final class PolicyManifests {

    public static final String API_VERSION = "admissionregistration.k8s.io/v1";

    /**
     * Where the policy applies and where its start ordinals come from.
     *
     * @param name               the name of the policy and of its binding
     * @param namespaceLabel     the label that opts a namespace in
     * @param excludedNamespaces never mutated, whatever their labels (kube-system, the install namespace)
     * @param paramNamespace     the namespace of the start-ordinal ConfigMap (the install namespace)
     * @param paramName          the start-ordinal ConfigMap's name
     */
    public record Settings(String name, NamespaceLabel namespaceLabel, List<String> excludedNamespaces,
                           String paramNamespace, String paramName) {

        public Settings {
            excludedNamespaces = List.copyOf(excludedNamespaces);
        }

        /** The shipped install: policy {@code first-ordinal}, namespace {@code first-ordinal}. */
        public static Settings defaults() {
            return new Settings("first-ordinal", NamespaceLabel.parse(NamespaceLabel.DEFAULT), List.of("kube-system", "first-ordinal"),
                    "first-ordinal", StartOrdinalParams.DEFAULT_NAME);
        }
    }

    private static final ObjectMapper YAML = ManifestYaml.MAPPER;

    private PolicyManifests() {
    }

    /** The policy and its binding as one YAML stream. */
    public static String yaml(MarkingPolicy marking, Settings settings) {
        try {
            return "# Rendered by `first-ordinal policy` from the webhook's own rules; do not edit by hand.\n"
                    + YAML.writeValueAsString(policy(marking, settings)) + "---\n" + YAML.writeValueAsString(binding(settings));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode policy(MarkingPolicy marking, Settings settings) {
        PolicyCel cel = new PolicyCel(marking);
        ObjectNode policy = header("MutatingAdmissionPolicy", settings.name());
        ObjectNode spec = policy.putObject("spec");
        spec.putObject("paramKind").put("apiVersion", "v1").put("kind", "ConfigMap");
        ObjectNode constraints = spec.putObject("matchConstraints");
        ObjectNode namespaces = constraints.putObject("namespaceSelector");
        namespaces.putObject("matchLabels").put(settings.namespaceLabel().key(), settings.namespaceLabel().value());
        ObjectNode notIn = namespaces.putArray("matchExpressions").addObject()
                .put("key", "kubernetes.io/metadata.name").put("operator", "NotIn");
        settings.excludedNamespaces().forEach(notIn.putArray("values")::add);
        ObjectNode rule = constraints.putArray("resourceRules").addObject();
        rule.putArray("apiGroups").add("");
        rule.putArray("apiVersions").add("v1");
        rule.putArray("operations").add("CREATE");
        rule.putArray("resources").add("pods");
        rule.put("scope", "Namespaced");
        constraints.put("matchPolicy", "Equivalent");
        ArrayNode conditions = spec.putArray("matchConditions");
        conditions.addObject().put("name", "controlled-by-statefulset").put("expression", PolicyCel.controlledByStatefulSet());
        conditions.addObject().put("name", "not-skipped").put("expression", PolicyCel.notSkipped());
        cel.notReplicaTier().ifPresent(e -> conditions.addObject().put("name", "not-replica-tier").put("expression", e));
        ArrayNode variables = spec.putArray("variables");
        for (Map.Entry<String, String> variable : cel.variables().entrySet()) {
            variables.addObject().put("name", variable.getKey()).put("expression", variable.getValue());
        }
        ObjectNode mutation = spec.putArray("mutations").addObject().put("patchType", "JSONPatch");
        mutation.putObject("jsonPatch").put("expression", cel.jsonPatch());
        // Fail open, as the webhook does: a policy that cannot run must never block a pod.
        spec.put("failurePolicy", "Ignore");
        spec.put("reinvocationPolicy", "IfNeeded");
        return policy;
    }

    /**
     * The policy's rules alone (matchConditions, variables, mutations) for a chart to wrap: the Helm
     * chart's {@code files/policy-cel.yaml} is this with {@link #LABEL_VALUE_PLACEHOLDER} as the label
     * value, which the chart replaces with its {@code label.value}.
     */
    public static String rulesYaml(MarkingPolicy marking) {
        ObjectNode spec = (ObjectNode) policy(marking, Settings.defaults()).get("spec");
        ObjectNode rules = YAML.createObjectNode();
        for (String field : List.of("matchConditions", "variables", "mutations")) {
            rules.set(field, spec.get(field));
        }
        try {
            return "# Rendered by PolicyManifests.rulesYaml (PolicyHelmChartTest checks it); do not edit by hand.\n"
                    + YAML.writeValueAsString(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A label value that stands for the chart's {@code label.value} in {@link #rulesYaml}. */
    public static final String LABEL_VALUE_PLACEHOLDER = "FIRST-ORDINAL-LABEL-VALUE";

    public static ObjectNode binding(Settings settings) {
        ObjectNode binding = header("MutatingAdmissionPolicyBinding", settings.name());
        ObjectNode spec = binding.putObject("spec").put("policyName", settings.name());
        spec.putObject("paramRef").put("name", settings.paramName()).put("namespace", settings.paramNamespace())
                .put("parameterNotFoundAction", "Allow");
        return binding;
    }

    private static ObjectNode header(String kind, String name) {
        ObjectNode object = YAML.createObjectNode().put("apiVersion", API_VERSION).put("kind", kind);
        ObjectNode metadata = object.putObject("metadata").put("name", name);
        metadata.putObject("labels").put("app.kubernetes.io/name", "first-ordinal").put("app.kubernetes.io/part-of", "first-ordinal");
        return object;
    }
}
