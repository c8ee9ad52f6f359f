package dev.firstordinal.certs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.TlsClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The webhook serving what {@code certs} wrote, called the way the API server calls it: trusting
 * only {@code ca.crt} and verifying {@code <svc>.<ns>.svc}.
 */
@QuarkusTest
@TestProfile(CertsCommandTlsTest.CertsCommandOutput.class)
class CertsCommandTlsTest {

    /** Serves the files of {@code certs --service hooks --namespace infra}. */
    public static class CertsCommandOutput implements QuarkusTestProfile {

        static final Path DIR = generate();

        /** Once per JVM: Quarkus loads this class in two class loaders, the system property makes both see one directory. */
        private static synchronized Path generate() {
            String existing = System.getProperty("firstordinal-test.certs-command-out");
            if (existing != null) {
                return Path.of(existing);
            }
            try {
                Path dir = Files.createTempDirectory("first-ordinal-certs-command").resolve("out");
                int code = new CertsCommand().run(List.of("--service", "hooks", "--namespace", "infra", "--out", dir.toString()));
                if (code != 0) {
                    throw new IllegalStateException("certs exited " + code);
                }
                System.setProperty("firstordinal-test.certs-command-out", dir.toString());
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "first-ordinal.tls.cert-file", DIR.resolve("tls.crt").toString(),
                    "first-ordinal.tls.key-file", DIR.resolve("tls.key").toString());
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @Inject
    Vertx vertx;

    @Test
    void completesARequestTrustingOnlyCaCrtAndDialingServiceNamespaceSvc() throws Exception {
        try (TlsClient client = TlsClient.trusting(vertx, true, 1, CertsCommandOutput.DIR.resolve("ca.crt"))) {
            TlsClient.Reply reply = client.post(mutate.getPort(), "hooks.infra.svc", Fixtures.reviewBytes("first-ordinal-redis"));

            assertThat(reply.status()).isEqualTo(200);
            JsonNode review = Fixtures.tree(reply.body());
            assertThat(review.at("/response/allowed").asBoolean()).isTrue();
            assertThat(review.at("/response/patchType").asText()).isEqualTo("JSONPatch");
            assertThat(reply.peer()).isEqualTo(Pem.certificate(Files.readString(CertsCommandOutput.DIR.resolve("tls.crt"))));
        }
    }

    @Test
    void completesARequestForEveryServiceNameForm() throws Exception {
        try (TlsClient client = TlsClient.trusting(vertx, false, 1, CertsCommandOutput.DIR.resolve("ca.crt"))) {
            for (String name : List.of("hooks", "hooks.infra", "hooks.infra.svc", "hooks.infra.svc.cluster.local")) {
                assertThat(client.post(mutate.getPort(), name, Fixtures.reviewBytes("ordinal-1-left-alone")).status()).as(name).isEqualTo(200);
            }
        }
    }

    @Test
    void failsTheHandshakeForANameTheCertificateDoesNotCarry() {
        try (TlsClient client = TlsClient.trusting(vertx, false, 1, CertsCommandOutput.DIR.resolve("ca.crt"))) {
            assertThatThrownBy(() -> client.post(mutate.getPort(), "hooks.other.svc", Fixtures.reviewBytes("first-ordinal-redis")))
                    .hasRootCauseInstanceOf(CertificateException.class)
                    .rootCause().hasMessageContaining("hooks.other.svc");
        }
    }

    @Test
    void failsTheHandshakeForAClientThatTrustsAnotherCa() throws Exception {
        Path other = Files.createTempDirectory("other-certs").resolve("out");
        assertThat(new CertsCommand().run(List.of("--service", "hooks", "--namespace", "infra", "--out", other.toString()))).isZero();

        try (TlsClient client = TlsClient.trusting(vertx, false, 1, other.resolve("ca.crt"))) {
            assertThatThrownBy(() -> client.post(mutate.getPort(), "hooks.infra.svc", Fixtures.reviewBytes("first-ordinal-redis")))
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
        }
    }
}
