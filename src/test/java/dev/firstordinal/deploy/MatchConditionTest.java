package dev.firstordinal.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.ordinal.StatefulSetOwner;
import dev.firstordinal.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook's CEL matchCondition, compiled and evaluated with a real CEL implementation. A
 * condition that is false for a pod the first-ordinal rule would mark, or that errors (the API
 * server then applies failurePolicy Ignore and skips the webhook), silently loses backups.
 */
class MatchConditionTest {

    private static final Path BASE_WEBHOOK = DeployTree.BASE.resolve("mutatingwebhookconfiguration.yaml");
    private static final FirstOrdinalRule RULE = new FirstOrdinalRule(MarkingPolicy.defaults());

    static String expressionOf(Path webhookFile) {
        MutatingWebhookConfiguration configuration = KubernetesYaml.only(KubernetesYaml.objects(webhookFile), MutatingWebhookConfiguration.class);
        return configuration.getWebhooks().get(0).getMatchConditions().get(0).getExpression();
    }

    /** As the API server declares it for webhook matchConditions: the object as untyped data. */
    static boolean evaluate(String expression, JsonNode object) {
        CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar("object", SimpleType.DYN)
                .addVar("oldObject", SimpleType.DYN)
                .build();
        CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
        try {
            var ast = compiler.compile(expression).getAst();
            assertThat(ast.getResultType()).as("the condition is a boolean").isIn(SimpleType.BOOL, SimpleType.DYN);
            Object result = runtime.createProgram(ast).eval(Map.of("object", celValue(object), "oldObject", celValue(null)));
            assertThat(result).as("result of %s", expression).isInstanceOf(Boolean.class);
            return (Boolean) result;
        } catch (dev.cel.common.CelValidationException e) {
            throw new AssertionError("matchCondition does not compile: " + e.getMessage(), e);
        } catch (CelEvaluationException e) {
            throw new AssertionError("matchCondition errors at evaluation (the webhook would be skipped): " + e.getMessage(), e);
        }
    }

    static Stream<String> admissionFixtures() throws IOException {
        return Fixtures.caseNames();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("admissionFixtures")
    void conditionIsTrueExactlyForPodsWithAStatefulSetControllerSoNoMarkedPodIsFilteredOut(String fixture) {
        JsonNode request = Fixtures.review(fixture).get("request");
        JsonNode object = request.get("object");
        Pod pod = KubernetesYaml.SERIALIZATION.convertValue(object, Pod.class);

        boolean called = evaluate(expressionOf(BASE_WEBHOOK), object);

        boolean statefulSetController = pod.getMetadata() != null && StatefulSetOwner.controllerOf(pod.getMetadata()).isPresent();
        assertThat(called).as("condition == 'controlled by an apps/v1 StatefulSet'").isEqualTo(statefulSetController);
        Decision decision = RULE.decide(pod, request.path("namespace").asText(), StartOrdinalLookup.ZERO);
        if (decision.verdict() != Decision.Verdict.NOT_OURS) {
            assertThat(called).as("a pod the rule decides on (%s) reaches the webhook", decision.verdict()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "StatefulSet controller                     | [{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"redis\",\"uid\":\"u\",\"controller\":true}] | true",
            "StatefulSet controller after another owner | [{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"c\",\"uid\":\"c\"},{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"redis\",\"uid\":\"u\",\"controller\":true}] | true",
            "StatefulSet owner, controller field absent | [{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"redis\",\"uid\":\"u\"}] | false",
            "StatefulSet owner, controller false        | [{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"redis\",\"uid\":\"u\",\"controller\":false}] | false",
            "ReplicaSet controller                      | [{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web-5d9\",\"uid\":\"u\",\"controller\":true}] | false",
            "Job controller                             | [{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"j\",\"uid\":\"u\",\"controller\":true}] | false",
            "StatefulSet of another API group           | [{\"apiVersion\":\"apps.kruise.io/v1beta1\",\"kind\":\"StatefulSet\",\"name\":\"redis\",\"uid\":\"u\",\"controller\":true}] | false",
            "empty ownerReferences                      | [] | false",
    })
    void conditionDecidesOnTheControllerOwnerAndNeverErrors(String name, String ownerReferences, boolean expected) throws IOException {
        JsonNode pod = Fixtures.JSON.readTree("{\"metadata\":{\"name\":\"redis-0\",\"ownerReferences\":" + ownerReferences + "}}");

        assertThat(evaluate(expressionOf(BASE_WEBHOOK), pod)).as(name).isEqualTo(expected);
    }

    @Test
    void podWithoutOwnerReferencesIsNotSentAndDoesNotError() throws IOException {
        JsonNode pod = Fixtures.JSON.readTree("{\"metadata\":{\"name\":\"bare\",\"labels\":{\"app\":\"x\"}}}");

        assertThat(evaluate(expressionOf(BASE_WEBHOOK), pod)).isFalse();
    }

    @Test
    void evaluationErrorIsReportedNotMistakenForFalse() throws IOException {
        JsonNode pod = Fixtures.JSON.readTree("{\"metadata\":{\"name\":\"bare\"}}");

        // Without has(), a missing field is an evaluation error, which the API server turns into
        // failurePolicy (Ignore: the webhook is skipped). This is what has() guards against.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> evaluate("object.metadata.ownerReferences.size() > 0", pod))
                .hasMessageContaining("errors at evaluation");
    }

    /** JSON as CEL values: CEL integers are 64-bit, maps and lists as Java collections. */
    private static Object celValue(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), celValue(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(n -> list.add(celValue(n)));
            return list;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }
}
