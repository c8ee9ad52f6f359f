package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

class ClientErrorsTest {

    @Test
    void anAnswerOfTheApiServerIsToldByItsCodeAndStatusMessageOnOneLine() {
        KubernetesClientException forbidden = new KubernetesClientException(new StatusBuilder().withCode(403)
                .withMessage("statefulsets.apps \"redis\" is forbidden:\nUser \"system:serviceaccount:x:y\"   cannot get").build());

        assertThat(ClientErrors.oneLine(forbidden))
                .isEqualTo("HTTP 403: statefulsets.apps \"redis\" is forbidden: User \"system:serviceaccount:x:y\" cannot get");
    }

    @Test
    void noAnswerIsToldByTheRootCause() {
        KubernetesClientException unreachable = new KubernetesClientException("An error has occurred.",
                new IOException("wrapped", new ConnectException("Connection refused")));

        assertThat(ClientErrors.oneLine(unreachable)).isEqualTo("ConnectException: Connection refused");
        assertThat(ClientErrors.oneLine(new IllegalStateException())).isEqualTo("IllegalStateException");
    }

    @Test
    void aLongMessageIsCut() {
        String line = ClientErrors.oneLine(new KubernetesClientException(new StatusBuilder().withCode(422).withMessage("x".repeat(5000)).build()));

        assertThat(line).startsWith("HTTP 422: xxx").endsWith("…").hasSize("HTTP 422: ".length() + 201);
    }
}
