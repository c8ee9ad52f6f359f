package dev.firstordinal.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.TestTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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

    private final List<HttpClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(HttpClient::close);
    }

    @Test
    void patchesFirstOrdinalPodOverTlsTrustingOnlyTheCa() throws Exception {
        Response response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_1_1), TestTls.SERVICE_DNS_NAME,
                Fixtures.reviewBytes("first-ordinal-redis"));

        assertThat(response.status).isEqualTo(200);
        assertThat(response.contentType).startsWith("application/json");
        JsonNode review = Fixtures.tree(response.body);
        AdmissionReviewFixturesTest.assertEnvelope(review, Fixtures.review("first-ordinal-redis").at("/request/uid").asText());
        JsonNode patched = ApiServerPatch.apply(Fixtures.decodePatch(review), Fixtures.review("first-ordinal-redis").at("/request/object"));
        assertThat(patched.at("/metadata/labels/velero-backup-schedule").asText()).isEqualTo("redis");
        assertThat(patched.at("/metadata/annotations/pre.hook.backup.velero.io~1container").asText()).isEqualTo("redis");
    }

    @Test
    void reusesOneKeepAliveConnectionForManyReviews() throws Exception {
        HttpClient client = client(TestTls.caCertificate(), HttpVersion.HTTP_1_1);
        List<Integer> connections = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Response response = post(client, TestTls.SERVICE_DNS_NAME, Fixtures.reviewBytes("ordinal-1-left-alone"));
            assertThat(response.status).isEqualTo(200);
            assertThat(response.version).isEqualTo(HttpVersion.HTTP_1_1);
            connections.add(response.connectionId);
        }
        assertThat(connections).containsOnly(connections.get(0));
    }

    @Test
    void answersOverHttp11EvenWhenTheClientOffersHttp2() throws Exception {
        // HTTP/2 is off (quarkus.http.http2=false): the API server calls webhooks over HTTP/1.1, and h2's
        // multiplexing let one non-reading connection queue thousands of answers (issue 20).
        Response response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_2), TestTls.SERVICE_DNS_NAME,
                Fixtures.reviewBytes("first-ordinal-redis"));
        assertThat(response.status).isEqualTo(200);
        assertThat(response.version).isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void failsHandshakeForAWrongServiceName() {
        HttpClient client = client(TestTls.caCertificate(), HttpVersion.HTTP_1_1);
        assertThatThrownBy(() -> post(client, "other-service.first-ordinal.svc", Fixtures.reviewBytes("first-ordinal-redis")))
                .hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
    }

    @Test
    void failsHandshakeWhenTheClientTrustsAnotherCa() throws Exception {
        Path otherCa = java.nio.file.Files.createTempDirectory("other-ca").resolve("ca.crt");
        dev.firstordinal.certs.PemFiles.writePublic(otherCa, new dev.firstordinal.certs.CertificateIssuer()
                .certificateAuthority("someone else", java.time.Duration.ofDays(1), dev.firstordinal.certs.KeyType.EC_P256)
                .certificatePem());
        HttpClient client = client(otherCa, HttpVersion.HTTP_1_1);
        assertThatThrownBy(() -> post(client, TestTls.SERVICE_DNS_NAME, Fixtures.reviewBytes("first-ordinal-redis")))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void answersMalformedBodyWith400AndOneLineJsonError() throws Exception {
        Response response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_1_1), TestTls.SERVICE_DNS_NAME,
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{".getBytes(StandardCharsets.UTF_8));
        assertThat(response.status).isEqualTo(400);
        JsonNode error = Fixtures.tree(response.body);
        assertThat(error.get("error").asText()).startsWith("malformed AdmissionReview").doesNotContain("\n");
    }

    @Test
    void answersBodyOverTheLimitWith400() throws Exception {
        byte[] huge = new byte[3 * 1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        Response response = post(client(TestTls.caCertificate(), HttpVersion.HTTP_1_1), TestTls.SERVICE_DNS_NAME, huge);
        assertThat(response.status).isEqualTo(400);
        assertThat(Fixtures.tree(response.body).get("error").asText()).contains("exceeds the limit");
    }

    @Test
    void answersGetWith405() throws Exception {
        HttpClient client = client(TestTls.caCertificate(), HttpVersion.HTTP_1_1);
        Response response = send(client, HttpMethod.GET, TestTls.SERVICE_DNS_NAME, new byte[0]);
        assertThat(response.status).isEqualTo(405);
    }

    @Test
    void reportsReadyOnThePlainHttpManagementPort() throws Exception {
        assertThat(ready.getProtocol()).isEqualTo("http");
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(ready.toURI()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + ready).isEqualTo(200);
        assertThat(response.body()).contains("\"UP\"");
    }

    private HttpClient client(Path trustedCa, HttpVersion version) {
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(trustedCa.toString()))
                .setVerifyHost(true)
                .setForceSni(true)
                .setKeepAlive(true)
                .setMaxPoolSize(1)
                .setProtocolVersion(version)
                .setUseAlpn(version == HttpVersion.HTTP_2);
        HttpClient client = vertx.createHttpClient(options);
        clients.add(client);
        return client;
    }

    private Response post(HttpClient client, String serverName, byte[] body) throws Exception {
        return send(client, HttpMethod.POST, serverName, body);
    }

    /** Dials 127.0.0.1 on the test port while presenting and verifying {@code serverName}, as the API server dials a Service. */
    private Response send(HttpClient client, HttpMethod method, String serverName, byte[] body) throws Exception {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setServer(SocketAddress.inetSocketAddress(mutate.getPort(), "127.0.0.1"))
                .setHost(serverName)
                .setPort(mutate.getPort())
                .setURI("/mutate")
                .putHeader("content-type", "application/json");
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(body))
                        .compose(response -> response.body().map(b -> new Response(response, b, request.connection().hashCode()))))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static final class Response {
        final int status;
        final String contentType;
        final byte[] body;
        final HttpVersion version;
        final int connectionId;

        Response(HttpClientResponse response, Buffer body, int connectionId) {
            this.status = response.statusCode();
            this.contentType = String.valueOf(response.getHeader("content-type"));
            this.body = body.getBytes();
            this.version = response.version();
            this.connectionId = connectionId;
        }
    }
}
