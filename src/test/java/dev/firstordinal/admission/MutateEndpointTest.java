package dev.firstordinal.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.TestTls;
import dev.firstordinal.testing.TlsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * /mutate over real TLS, as the API server calls it: the client trusts only the generated CA,
 * dials 127.0.0.1 and verifies the service DNS name, keeps the connection alive.
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class MutateEndpointTest {

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Inject
    Vertx vertx;

    private final List<TlsClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(TlsClient::close);
    }

    @Test
    void patchesFirstOrdinalPodOverTlsTrustingOnlyTheCa() throws Exception {
        TlsClient.Reply response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_1_1), TestTls.SERVICE_DNS_NAME,
                Fixtures.reviewBytes("first-ordinal-redis"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode review = Fixtures.tree(response.body());
        AdmissionReviewFixturesTest.assertEnvelope(review, Fixtures.review("first-ordinal-redis").at("/request/uid").asText());
        JsonNode patched = ApiServerPatch.apply(Fixtures.decodePatch(review), Fixtures.review("first-ordinal-redis").at("/request/object"));
        assertThat(patched.at("/metadata/labels/velero-backup-schedule").asText()).isEqualTo("redis");
        assertThat(patched.at("/metadata/annotations/pre.hook.backup.velero.io~1container").asText()).isEqualTo("redis");
    }

    @Test
    void reusesOneKeepAliveConnectionForManyReviews() throws Exception {
        TlsClient client = client(TestTls.caCertificate(), HttpVersion.HTTP_1_1);
        List<Integer> connections = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TlsClient.Reply response = post(client, TestTls.SERVICE_DNS_NAME, Fixtures.reviewBytes("ordinal-1-left-alone"));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpVersion.HTTP_1_1);
            connections.add(response.connectionId());
        }
        assertThat(connections).containsOnly(connections.get(0));
    }

    @Test
    void answersOverHttp11EvenWhenTheClientOffersHttp2() throws Exception {
        // HTTP/2 is off (quarkus.http.http2=false): the API server calls webhooks over HTTP/1.1, and h2's
        // multiplexing let one non-reading connection queue thousands of answers (issue 20).
        TlsClient.Reply response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_2), TestTls.SERVICE_DNS_NAME,
                Fixtures.reviewBytes("first-ordinal-redis"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void failsHandshakeForAWrongServiceName() {
        TlsClient client = client(TestTls.caCertificate(), HttpVersion.HTTP_1_1);
        assertThatThrownBy(() -> post(client, "other-service.first-ordinal.svc", Fixtures.reviewBytes("first-ordinal-redis")))
                .hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
    }

    @Test
    void failsHandshakeWhenTheClientTrustsAnotherCa() throws Exception {
        Path otherCa = java.nio.file.Files.createTempDirectory("other-ca").resolve("ca.crt");
        dev.firstordinal.certs.PemFiles.writePublic(otherCa, new dev.firstordinal.certs.CertificateIssuer()
                .certificateAuthority("someone else", java.time.Duration.ofDays(1), dev.firstordinal.certs.KeyType.EC_P256)
                .certificatePem());
        TlsClient client = client(otherCa, HttpVersion.HTTP_1_1);
        assertThatThrownBy(() -> post(client, TestTls.SERVICE_DNS_NAME, Fixtures.reviewBytes("first-ordinal-redis")))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void answersMalformedBodyWith400AndOneLineJsonError() throws Exception {
        TlsClient.Reply response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_1_1), TestTls.SERVICE_DNS_NAME,
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{".getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(400);
        JsonNode error = Fixtures.tree(response.body());
        assertThat(error.get("error").asText()).startsWith("malformed AdmissionReview").doesNotContain("\n");
    }

    @Test
    void answersBodyOverTheLimitWith400() throws Exception {
        byte[] huge = new byte[3 * 1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        TlsClient.Reply response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_1_1), TestTls.SERVICE_DNS_NAME, huge);
        assertThat(response.status()).isEqualTo(400);
        assertThat(Fixtures.tree(response.body()).get("error").asText()).contains("exceeds the limit");
    }

    @Test
    void answersGetWith405() throws Exception {
        TlsClient client = client(TestTls.caCertificate(), HttpVersion.HTTP_1_1);
        TlsClient.Reply response = client.send(HttpMethod.GET, mutate.getPort(), TestTls.SERVICE_DNS_NAME, new byte[0]);
        assertThat(response.status()).isEqualTo(405);
    }

    @Test
    void reportsReadyOnThePlainHttpManagementPort() throws Exception {
        assertThat(ready.getProtocol()).isEqualTo("http");
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(ready.toURI()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + ready).isEqualTo(200);
        assertThat(response.body()).contains("\"UP\"");
    }

    private TlsClient client(Path trustedCa, HttpVersion version) {
        TlsClient client = TlsClient.trusting(vertx, true, 1, version, trustedCa);
        clients.add(client);
        return client;
    }

    private TlsClient.Reply post(TlsClient client, String serverName, byte[] body) throws Exception {
        return client.post(mutate.getPort(), serverName, body);
    }
}
