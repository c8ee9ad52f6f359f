package dev.firstordinal.labeller;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ApiFailureTest {

    private static final Operation PATCH = Operation.patchPod("shop", "redis-0");

    private static KubernetesClientException http(int code, String message) {
        Status status = new StatusBuilder().withCode(code).withMessage(message).build();
        return new KubernetesClientException(message, code, status);
    }

    @Test
    void forbiddenNamesTheMissingRbacRuleAndTheRole() {
        ApiFailure failure = ApiFailure.of(PATCH, http(403,
                "pods \"redis-0\" is forbidden: User \"system:serviceaccount:shop:redis\" cannot patch resource \"pods\""));

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.FORBIDDEN);
        assertThat(failure.getMessage()).isEqualTo("RBAC: the ServiceAccount needs \"patch\" on \"pods\" in namespace \"shop\" "
                + "(Role first-ordinal-labeller); the API server said: pods \"redis-0\" is forbidden: "
                + "User \"system:serviceaccount:shop:redis\" cannot patch resource \"pods\"");
    }

    @Test
    void forbiddenOnAStatefulSetNamesTheAppsGroup() {
        ApiFailure failure = ApiFailure.of(Operation.getStatefulSet("shop", "redis"), http(403, "forbidden"));

        assertThat(failure.getMessage()).startsWith(
                "RBAC: the ServiceAccount needs \"get\" on \"statefulsets\" (API group \"apps\") in namespace \"shop\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 429, 408})
    void serverErrorsThrottlingAndTimeoutsAreTransient(int code) {
        ApiFailure failure = ApiFailure.of(PATCH, http(code, "try later"));

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.TRANSIENT);
        assertThat(failure.kind().retryable()).isTrue();
        assertThat(failure.getMessage()).isEqualTo("patch pods/redis-0 in namespace \"shop\": HTTP " + code + ": try later");
    }

    @Test
    void connectionRefusedIsTransient() {
        KubernetesClientException refused = new KubernetesClientException("An error has occurred.",
                new IOException("Connection refused: localhost/127.0.0.1:6443", new ConnectException("Connection refused")));

        ApiFailure failure = ApiFailure.of(Operation.getPod("shop", "redis-0"), refused);

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.TRANSIENT);
        assertThat(failure.getMessage()).isEqualTo(
                "get pods/redis-0 in namespace \"shop\": cannot reach the API server: ConnectException: Connection refused");
    }

    @Test
    void anAnswerThatIsNotJsonIsSaidSoOnOneLine() throws Exception {
        IOException notJson;
        try {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree("<html>\n<body>502 Bad Gateway</body>\n</html>");
            throw new AssertionError("expected a parse failure");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            notJson = e;
        }
        ApiFailure failure = ApiFailure.of(Operation.getPod("shop", "redis-0"), new KubernetesClientException("An error has occurred.", notJson));

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.TRANSIENT);
        assertThat(failure.getMessage()).startsWith("get pods/redis-0 in namespace \"shop\": the API server's answer is not valid JSON: ")
                .doesNotContain("\n").doesNotContain("cannot reach");
    }

    @Test
    void throttlingKeepsTheServersRetryAfter() {
        Status status = new StatusBuilder().withCode(429).withMessage("too many requests")
                .withNewDetails().withRetryAfterSeconds(4).endDetails().build();

        ApiFailure failure = ApiFailure.of(PATCH, new KubernetesClientException("too many requests", 429, status));

        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(4));
    }

    @Test
    void aFailedJsonPatchTestIsAConflictToBeReadAgain() {
        ApiFailure failure = ApiFailure.of(PATCH, http(422, "testing value /metadata/resourceVersion failed: test failed"));

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.CONFLICT);
        assertThat(failure.kind().retryable()).isTrue();
    }

    @Test
    void aConflictIsReadAgain() {
        assertThat(ApiFailure.of(PATCH, http(409, "the object has been modified")).kind()).isEqualTo(ApiFailure.Kind.CONFLICT);
    }

    @Test
    void anInvalidPatchIsPermanent() {
        ApiFailure failure = ApiFailure.of(PATCH, http(422, "metadata.labels: Invalid value: \"x y\""));

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.PERMANENT);
        assertThat(failure.kind().retryable()).isFalse();
    }

    @Test
    void notFoundAndUnauthorizedAreNotRetried() {
        assertThat(ApiFailure.of(PATCH, http(404, "pods \"redis-0\" not found")).kind()).isEqualTo(ApiFailure.Kind.NOT_FOUND);
        ApiFailure unauthorized = ApiFailure.of(PATCH, http(401, "Unauthorized"));
        assertThat(unauthorized.kind()).isEqualTo(ApiFailure.Kind.UNAUTHORIZED);
        assertThat(unauthorized.getMessage()).contains("automountServiceAccountToken");
    }

    @Test
    void anErrorWithoutCodeOrIoCauseIsPermanent() {
        ApiFailure failure = ApiFailure.of(PATCH, new KubernetesClientException("cannot parse response", new IllegalStateException("bad json")));

        assertThat(failure.kind()).isEqualTo(ApiFailure.Kind.PERMANENT);
        assertThat(failure.getMessage()).endsWith("IllegalStateException: bad json");
    }
}
