package dev.firstordinal.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.TestTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** What /mutate writes to the log, even at DEBUG: who was marked, never the pod's content. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class LogContentTest {

    private static final String MARKER = "s3cr3t-marker-7f2c";

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger("dev.firstordinal");
    private Level previous;
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null && record.getParameters().length > 0) {
                message = message + " " + List.of(record.getParameters());
            }
            lines.add(message);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        previous = logger.getLevel();
        logger.setLevel(Level.FINEST);
        logger.addHandler(capture);
    }

    @AfterEach
    void release() {
        logger.removeHandler(capture);
        logger.setLevel(previous);
    }

    @Test
    void logsTheMarkedPodByNameWithoutItsAnnotationValuesOrSpec() throws Exception {
        ObjectNode review = Fixtures.review("first-ordinal-redis");
        ((ObjectNode) review.at("/request/object/metadata/annotations")).put("example.com/token", MARKER);
        ((ObjectNode) review.at("/request/object/spec/containers/0")).putArray("args").add("--requirepass=" + MARKER);

        assertThat(post(Fixtures.JSON.writeValueAsBytes(review))).isEqualTo(200);

        assertThat(lines).anySatisfy(line -> assertThat(line).contains("marked pod").contains("redis-shard-0-0"));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains(MARKER));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains("redis-server"));
    }

    @Test
    void logsABadReviewAsOneShortLineWithoutTheBody() throws Exception {
        String body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                + "\"object\":{\"metadata\":{\"annotations\":{\"token\":\"" + MARKER + "\"}}}, oops";

        assertThat(post(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(400);

        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("400 for"));
        assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain(MARKER).doesNotContain("\n").hasSizeLessThan(400));
    }

    private int post(byte[] body) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(TestTls.caCertificate())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build()
                .send(HttpRequest.newBuilder(URI.create("https://localhost:" + mutate.getPort() + "/mutate"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
