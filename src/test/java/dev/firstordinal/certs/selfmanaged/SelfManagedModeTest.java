package dev.firstordinal.certs.selfmanaged;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.PemFiles;
import dev.firstordinal.certs.ServiceDnsNames;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.MockApiServer;
import dev.firstordinal.testing.Readiness;
import dev.firstordinal.testing.TlsClient;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook in self-managed mode against a mock API server: it creates its Secret, patches the
 * caBundle, serves the Secret's certificate to a client trusting only that caBundle, and serves a
 * Secret update at once (well inside the 60 s file reload period, which it does not use).
 */
@QuarkusTest
@TestProfile(SelfManagedModeTest.SelfManaged.class)
class SelfManagedModeTest {

    static final String SERVICE_NAME = "first-ordinal.first-ordinal.svc";
    static final String NAMESPACE = "first-ordinal";
    static final String WEBHOOK = "first-ordinal";

    /** The cluster after {@code kubectl apply}: the webhook configuration exists, without a caBundle. */
    public static class WebhookConfigurationSeed implements Consumer<KubernetesClient> {
        @Override
        public void accept(KubernetesClient client) {
            client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .resource(SelfManagedCertificatesTest.webhookConfiguration()).create();
        }
    }

    public static class SelfManaged implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "first-ordinal.tls.mode", "self-managed",
                    "first-ordinal.tls.namespace", NAMESPACE,
                    "first-ordinal.tls.lease-duration", "3s",
                    "first-ordinal.tls.lease-renew-deadline", "2s",
                    "first-ordinal.tls.lease-retry-period", "500ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MockApiServer.class, Map.of("seed", WebhookConfigurationSeed.class.getName())));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Inject
    Vertx vertx;

    private static Secret secret() {
        return MockApiServer.client().secrets().inNamespace(NAMESPACE).withName("first-ordinal-tls").get();
    }

    private static String pem(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    private HttpResponse<String> readiness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady() throws Exception {
        Readiness.awaitStatus(ready.toURI(), 200, Duration.ofSeconds(30), () -> { }, () -> {
            try {
                return "last: " + readiness().body();
            } catch (Exception e) {
                return "last: " + e;
            }
        });
    }

    /** Writes the webhook configuration's caBundle to a file: all the client trusts. */
    private static Path caBundleFile() throws Exception {
        String caBundle = MockApiServer.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(WEBHOOK).get().getWebhooks().get(0).getClientConfig().getCaBundle();
        assertThat(caBundle).as("caBundle patched").isNotBlank();
        Path file = Files.createTempDirectory("ca-bundle").resolve("ca.crt");
        PemFiles.writePublic(file, new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII));
        return file;
    }

    private BigInteger servedSerial(Path trusted) throws Exception {
        try (TlsClient client = TlsClient.trusting(vertx, false, 1, trusted)) {
            TlsClient.Reply reply = client.post(mutate.getPort(), SERVICE_NAME, Fixtures.reviewBytes("first-ordinal-redis"));
            assertThat(reply.status()).isEqualTo(200);
            return reply.peer().getSerialNumber();
        }
    }

    @Test
    void servesItsSecretsCertificateToAClientTrustingOnlyTheCaBundle() throws Exception {
        awaitReady();

        Secret secret = secret();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(readiness().body()).contains("\"mode\": \"self-managed\"").contains("\"leader\": true");
        assertThat(servedSerial(caBundleFile())).isEqualTo(Pem.certificate(pem(secret, "tls.crt")).getSerialNumber());
    }

    @Test
    void servesACertificateWrittenToTheSecretWithinSeconds() throws Exception {
        awaitReady();
        Secret secret = secret();
        IssuedCertificate ca = new IssuedCertificate(Pem.certificate(pem(secret, "ca.crt")), Pem.privateKey(pem(secret, "ca.key")));
        IssuedCertificate replacement = new CertificateIssuer().servingCertificate(ca,
                ServiceDnsNames.of("first-ordinal", "first-ordinal", List.of()), List.of(), Duration.ofDays(200), KeyType.EC_P256);

        MockApiServer.client().secrets().inNamespace(NAMESPACE).withName("first-ordinal-tls").edit(current -> {
            current.getData().put("tls.crt", Base64.getEncoder().encodeToString(replacement.certificatePem().getBytes(StandardCharsets.US_ASCII)));
            current.getData().put("tls.key", Base64.getEncoder().encodeToString(replacement.privateKeyPem().getBytes(StandardCharsets.US_ASCII)));
            return current;
        });

        Path trusted = caBundleFile();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(10);
        while (!servedSerial(trusted).equals(replacement.certificate().getSerialNumber())) {
            assertThat(System.nanoTime()).as("new certificate served within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        System.out.printf("self-managed: Secret update served after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(Pem.certificate(pem(secret(), "tls.crt"))).as("the leader keeps a valid certificate it did not make")
                .isEqualTo(replacement.certificate());
    }
}
