package dev.firstordinal.admission;

import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.RawTls;
import dev.firstordinal.testing.TestTls;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one request or connection may do to the TLS port (issue 20, docs/operations-limits.md): limits answered
 * with one-line JSON, read deadlines, backpressure for clients that do not read, client disconnects counted apart.
 * Requests are written by hand ({@link RawTls}) so that they can be partial, slow, pipelined or lying.
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class EdgeLimitsTest {

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Inject
    ConnectionGuard guard;

    private RawTls connect(int readTimeoutMillis) throws Exception {
        SSLContext tls = RawTls.trusting(TestTls.caCertificate());
        return RawTls.connect(tls, mutate.getPort(), TestTls.SERVICE_DNS_NAME, readTimeoutMillis);
    }

    @Test
    void answersADeclaredBodyOverTheLimitWithTheOneLineJson400WithoutReadingIt() throws Exception {
        for (long declared : new long[] {3_145_729L, 17_000_000L, 100_000_000L, 10_000_000_000L}) {
            try (RawTls client = connect(10_000)) {
                client.write(RawTls.postHead(declared));
                RawTls.Answer answer = client.read();
                assertThat(answer.status()).as("Content-Length %d", declared).isEqualTo(400);
                assertThat(answer.headers()).containsIgnoringCase("content-type: application/json");
                assertThat(Fixtures.tree(answer.body().getBytes(StandardCharsets.UTF_8)).get("error").asText())
                        .contains("exceeds the limit of 3145728 bytes").doesNotContain("\n");
                assertThat(client.closedByServer()).as("closed: the body is never read").isTrue();
            }
        }
    }

    @Test
    void answersUnknownPathsWithJson404() throws Exception {
        for (String path : new String[] {"/MUTATE", "/", "/mutate/x", "/q/health"}) {
            try (RawTls client = connect(10_000)) {
                client.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                RawTls.Answer answer = client.read();
                assertThat(answer.status()).as(path).isEqualTo(404);
                assertThat(answer.headers()).as(path).containsIgnoringCase("content-type: application/json");
                assertThat(Fixtures.tree(answer.body().getBytes(StandardCharsets.UTF_8)).get("error").asText()).contains("POST /mutate");
            }
        }
    }

    /** Vert.x's router matches on the normalised path; only {@code /mutate} itself is the admission endpoint. */
    @Test
    void answersPathsThatOnlyNormaliseToMutateWithJson404() throws Exception {
        for (String path : new String[] {"/x/../mutate", "/%6dutate", "//mutate", "/mutate/", "/./mutate"}) {
            try (RawTls client = connect(10_000)) {
                client.write(RawTls.post(Fixtures.reviewBytes("first-ordinal-redis"), path));
                RawTls.Answer answer = client.read();
                assertThat(answer.status()).as(path).isEqualTo(404);
                assertThat(Fixtures.tree(answer.body().getBytes(StandardCharsets.UTF_8)).get("error").asText()).contains("POST /mutate");
            }
        }
        try (RawTls client = connect(10_000)) {
            client.write(RawTls.post(Fixtures.reviewBytes("first-ordinal-redis"), "/mutate?timeout=10s"));
            assertThat(client.read().status()).as("a query string is still /mutate").isEqualTo(200);
        }
    }

    /**
     * Requests the HTTP decoder refuses before any route sees them (a request line or headers past Vert.x's limits, a
     * malformed header), on the TLS port and on the management port: each answer carries the one-line JSON error every
     * other refusal has. Before: Vert.x answered them with an empty body.
     */
    @Test
    void answersRequestsTheHttpDecoderRefusesWithTheOneLineJsonError() throws Exception {
        java.util.Map<Integer, String> requests = java.util.Map.of(
                414, "GET /" + "a".repeat(8_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
                431, "GET /mutate HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + "p".repeat(24_000) + "\r\n\r\n",
                400, "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: twelve\r\n\r\n");
        for (var request : requests.entrySet()) {
            byte[] bytes = request.getValue().getBytes(StandardCharsets.US_ASCII);
            try (RawTls client = connect(10_000)) {
                client.write(bytes);
                assertOneLineJsonError(client.read(), request.getKey(), "TLS port");
            }
            // The guarded management port (the one the kubelet and Prometheus reach), not Quarkus' own on loopback.
            try (java.net.Socket plain = new java.net.Socket("127.0.0.1", guard.managementPort())) {
                plain.setSoTimeout(10_000);
                plain.getOutputStream().write(bytes);
                String answer = new String(plain.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                int split = answer.indexOf("\r\n\r\n");
                assertThat(split).as("management port answer: %s", answer).isPositive();
                assertOneLineJsonError(new RawTls.Answer(Integer.parseInt(answer.substring(9, 12)), answer.substring(0, split),
                        answer.substring(split + 4)), request.getKey(), "management port");
            }
        }
    }

    private static void assertOneLineJsonError(RawTls.Answer answer, int status, String port) throws Exception {
        assertThat(answer.status()).as("%s, %d", port, status).isEqualTo(status);
        assertThat(answer.headers()).as("%s, %d", port, status).containsIgnoringCase("content-type: application/json");
        assertThat(Fixtures.tree(answer.body().getBytes(StandardCharsets.UTF_8)).get("error").asText())
                .as("%s, %d", port, status).isEqualTo(InvalidRequestAnswers.messageFor(status)).doesNotContain("\n");
    }

    @Test
    void answersABodyThatDoesNotArriveInTimeWith408AndCountsItApartFromBadRequests() throws Exception {
        double bad = counter("first_ordinal_admission_requests_total{outcome=\"error\",reason=\"bad-request\"}");
        double slow = counter("first_ordinal_admission_requests_total{outcome=\"error\",reason=\"body-timeout\"}");
        byte[] body = Fixtures.reviewBytes("first-ordinal-redis");
        try (RawTls client = connect(15_000)) {
            long start = System.nanoTime();
            client.write(RawTls.postHead(body.length));
            client.write(java.util.Arrays.copyOf(body, body.length / 2));
            RawTls.Answer answer = client.read();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.body()).contains("did not arrive within 5000 ms");
            assertThat(waited).as("answered at the 5 s body timeout").isBetween(4_500L, 9_000L);
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(counter("first_ordinal_admission_requests_total{outcome=\"error\",reason=\"body-timeout\"}")).isEqualTo(slow + 1);
        assertThat(counter("first_ordinal_admission_requests_total{outcome=\"error\",reason=\"bad-request\"}")).isEqualTo(bad);
    }

    @Test
    void closesAConnectionWhoseHeadersTrickleInPastTheHeaderTimeout() throws Exception {
        double timeouts = counter("first_ordinal_http_header_timeouts_total");
        try (RawTls client = connect(12_000)) {
            long start = System.nanoTime();
            byte[] head = RawTls.postHead(100);
            boolean closed = false;
            // One byte a second: each keeps the connection from being idle, none completes the headers.
            for (int i = 0; i < 10 && !closed; i++) {
                try {
                    client.write(new byte[] {head[i]});
                    Thread.sleep(1_000);
                } catch (java.io.IOException reset) {
                    closed = true;
                }
            }
            closed = closed || client.closedByServer();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(closed).as("closed by the server").isTrue();
            assertThat(waited).as("at the 5 s header timeout, not after the 120 s idle timeout").isLessThan(11_000L);
        }
        assertThat(counter("first_ordinal_http_header_timeouts_total")).isEqualTo(timeouts + 1);
    }

    @Test
    void aClientThatClosesMidBodyIsCountedAsClientClosedAndLoggedAtDebugNotAsABadRequest() throws Exception {
        double bad = counter("first_ordinal_admission_requests_total{outcome=\"error\",reason=\"bad-request\"}");
        double closed = counter("first_ordinal_admission_client_closed_total");
        java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.firstordinal");
        java.util.logging.Level previous = logger.getLevel();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.setLevel(java.util.logging.Level.FINEST);
        logger.addHandler(capture);
        try {
            for (int i = 0; i < 3; i++) {
                try (RawTls client = connect(5_000)) {
                    client.write(RawTls.postHead(10_000));
                    client.write(new byte[100]);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (counter("first_ordinal_admission_client_closed_total") < closed + 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(previous);
        }
        assertThat(counter("first_ordinal_admission_client_closed_total")).isEqualTo(closed + 3);
        assertThat(counter("first_ordinal_admission_requests_total{outcome=\"error\",reason=\"bad-request\"}")).isEqualTo(bad);
        // A client's own disconnect is not the server's error: DEBUG (FINE), never WARN or ERROR.
        assertThat(records).noneSatisfy(r -> assertThat(r.getLevel().intValue()).isGreaterThanOrEqualTo(java.util.logging.Level.WARNING.intValue()));
        assertThat(records).anySatisfy(r -> assertThat(r.getMessage()).contains("client closed or reset"));
    }

    /**
     * A client that pipelines reviews and never reads the answers: the server must stop reading it once its
     * answers back up, so what the client can push in is bounded (today every answer is queued in memory).
     */
    @Test
    void stopsReadingAPipeliningClientThatDoesNotReadItsAnswers() throws Exception {
        byte[] one = RawTls.post(Fixtures.reviewBytes("first-ordinal-redis"));
        int requests = 40_000; // ~100 MB in all, if the server took it
        AtomicLong written = new AtomicLong();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawTls client = connect(5_000)) {
            client.socket().setReceiveBufferSize(16 * 1024);
            Future<?> writing = writer.submit(() -> {
                byte[] batch = new byte[one.length * 20];
                for (int i = 0; i < 20; i++) {
                    System.arraycopy(one, 0, batch, i * one.length, one.length);
                }
                for (int i = 0; i < requests / 20; i++) {
                    client.write(batch);
                    written.addAndGet(batch.length);
                }
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            long last = -1;
            // Wait until the writes stall (no progress for a second) or the deadline passes.
            while (System.nanoTime() < deadline && !writing.isDone()) {
                Thread.sleep(1_000);
                long now = written.get();
                if (now == last) {
                    break;
                }
                last = now;
            }
            System.out.printf("pipelining without reading: %d bytes taken before the server paused the connection%n", written.get());
            assertThat(writing.isDone()).as("the server stopped reading the client: its writes block").isFalse();
            assertThat(written.get()).as("bytes the server took in before pausing the connection").isLessThan(32L * 1024 * 1024);
            // A separate, well-behaved client is still served.
            assertThat(post(Fixtures.reviewBytes("first-ordinal-redis"))).isEqualTo(200);
            // The answer held back is counted, and the stuck connection is closed after the stalled-write timeout (10 s).
            // The client's writes may pause on a loaded machine before the server has held an answer back:
            // the counter must still move, within the stalled-write timeout.
            long countedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (counter("first_ordinal_admission_stalled_writes_total") <= 0 && System.nanoTime() < countedBy) {
                Thread.sleep(200);
            }
            assertThat(counter("first_ordinal_admission_stalled_writes_total")).isPositive();
            long closeBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!writing.isDone() && System.nanoTime() < closeBy) {
                Thread.sleep(200);
            }
            assertThat(writing.isDone()).as("the server closed the stuck connection, so the client's write failed").isTrue();
        } finally {
            writer.shutdownNow();
            assertThat(writer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private int post(byte[] body) throws Exception {
        try (RawTls client = connect(10_000)) {
            client.write(RawTls.post(body));
            return client.read().status();
        }
    }

    private double counter(String series) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString()))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.Ee+-]+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in:\n" + text.lines().filter(l -> l.startsWith("first_ordinal")).toList());
        }
        return Double.parseDouble(m.group(1));
    }
}
