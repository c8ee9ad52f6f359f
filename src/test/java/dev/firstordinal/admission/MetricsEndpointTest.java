package dev.firstordinal.admission;

import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.RawTls;
import dev.firstordinal.testing.TestTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Prometheus metrics on the management port: counts by outcome and reason, the latency histogram, the certificate's expiry. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class MetricsEndpointTest {

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void countsMarkedLeftAloneAndBadRequestAnswersByOutcomeAndReason() throws Exception {
        double marked = requests("patch", "marked");
        double leftAlone = requests("no-patch", "left-alone");
        double bad = requests("error", "bad-request");

        assertThat(post(Fixtures.reviewBytes("first-ordinal-redis"))).isEqualTo(200);
        assertThat(post(Fixtures.reviewBytes("ordinal-1-left-alone"))).isEqualTo(200);
        assertThat(post(Fixtures.reviewBytes("ordinal-2-left-alone"))).isEqualTo(200);
        assertThat(post("{not json".getBytes())).isEqualTo(400);

        assertThat(requests("patch", "marked")).isEqualTo(marked + 1);
        assertThat(requests("no-patch", "left-alone")).isEqualTo(leftAlone + 2);
        assertThat(requests("error", "bad-request")).isEqualTo(bad + 1);
        assertThat(scrape()).contains("first_ordinal_admission_requests_total{outcome=\"patch\",reason=\"fallback\"}");
    }

    @Test
    void publishesALatencyHistogramForMutate() throws Exception {
        assertThat(post(Fixtures.reviewBytes("first-ordinal-redis"))).isEqualTo(200);

        String text = scrape();
        assertThat(text).contains("# TYPE first_ordinal_admission_seconds histogram");
        assertThat(value(text, "first_ordinal_admission_seconds_bucket{outcome=\"patch\",le=\"+Inf\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "first_ordinal_admission_seconds_count{outcome=\"patch\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void exposesTheServingCertificatesNotAfterAsUnixSeconds() throws Exception {
        X509Certificate serving;
        try (InputStream in = Files.newInputStream(TestTls.dir().resolve("tls.crt"))) {
            serving = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        double expiry = value(scrape(), "first_ordinal_certificate_expiry_seconds");
        assertThat((long) expiry).isEqualTo(serving.getNotAfter().toInstant().getEpochSecond());
    }

    private double requests(String outcome, String reason) throws Exception {
        return value(scrape(), "first_ordinal_admission_requests_total{outcome=\"" + outcome + "\",reason=\"" + reason + "\"}");
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("series %s in:%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private int post(byte[] body) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(RawTls.trusting(TestTls.caCertificate())).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + mutate.getPort() + "/mutate"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
