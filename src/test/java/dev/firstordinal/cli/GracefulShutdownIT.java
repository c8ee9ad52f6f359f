package dev.firstordinal.cli;

import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.JarProcess;
import dev.firstordinal.testing.RawTls;
import dev.firstordinal.testing.Readiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM on the packaged jar: readiness turns 503 at once, a review that is half-sent when the
 * signal comes still gets its 200 (if the rest arrives within the body timeout), and the process exits
 * within the shutdown delay + timeout; stalled uploads are cut at their body timeout.
 */
class GracefulShutdownIT {

    /** application.properties: quarkus.shutdown.delay=5s, quarkus.shutdown.timeout=10s; the pod's grace period is 30 s. */
    static final Duration GRACE_PERIOD = Duration.ofSeconds(30);

    @TempDir
    Path tempDir;

    @Test
    void readinessGoesDownFirstThenTheInFlightReviewFinishesThenTheProcessExits() throws Exception {
        int httpsPort = JarProcess.freePort();
        int managementPort = JarProcess.freePort();
        Path tlsDir = tempDir.resolve("tls");
        try (JarProcess jar = JarProcess.start(JarProcess.selfSigned(tempDir, tlsDir, httpsPort, managementPort))) {
            URI ready = Readiness.ready(managementPort);
            jar.awaitReady(managementPort, Duration.ofSeconds(60));

            // A ~2.5 MB review (the first-ordinal fixture padded with a large annotation; the limit is 3 MiB),
            // of which only the headers and the first half are sent before SIGTERM.
            byte[] body = largeReview(5 * 512 * 1024);
            SSLSocket socket = (SSLSocket) RawTls.trusting(tlsDir.resolve("ca.crt")).getSocketFactory()
                    .createSocket("127.0.0.1", httpsPort);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();

            Instant sigterm = Instant.now();
            jar.process().destroy();

            // Readiness must report DOWN while the process is still alive.
            int readyStatus = Readiness.awaitOtherStatus(ready, 200, Duration.ofSeconds(10), jar::outputOrWhyNot);
            Duration readinessDown = Duration.between(sigterm, Instant.now());
            assertThat(readyStatus).isEqualTo(503);
            assertThat(jar.process().isAlive()).isTrue();

            // Finish the in-flight review while the shutdown is under way, within the 5 s body timeout
            // (first-ordinal.admission.body-timeout) that started when its headers arrived.
            Thread.sleep(1_000);
            assertThat(jar.process().isAlive()).as("still draining the in-flight request").isTrue();
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String statusLine = in.readLine();
            Duration answered = Duration.between(sigterm, Instant.now());
            socket.close();

            assertThat(jar.process().waitFor(GRACE_PERIOD.toSeconds(), TimeUnit.SECONDS))
                    .as("exited within the grace period; output:%n%s", jar.output()).isTrue();
            Duration exited = Duration.between(sigterm, Instant.now());

            assertThat(statusLine).isEqualTo("HTTP/1.1 200 OK");
            assertThat(exited).isLessThan(GRACE_PERIOD);
            System.out.printf("graceful shutdown: readiness 503 after %d ms, in-flight review answered %s after %d ms, exit %d after %d ms%n",
                    readinessDown.toMillis(), statusLine, answered.toMillis(), jar.process().exitValue(), exited.toMillis());
        }
    }

    /**
     * Uploads that stall do not hold the exit for the whole shutdown timeout: each is cut at the 5 s body timeout.
     * New connections are served during the 5 s delay (endpoints may still route here) and refused after it,
     * also while a request is still in flight. Before: the stalled uploads held the exit to 15 s after SIGTERM
     * and connections opened after the delay were still served.
     */
    @Test
    void stalledUploadsAreCutAtTheBodyTimeoutAndConnectionsAfterTheDelayAreRefused() throws Exception {
        int httpsPort = JarProcess.freePort();
        int managementPort = JarProcess.freePort();
        Path tlsDir = tempDir.resolve("tls");
        try (JarProcess jar = JarProcess.start(JarProcess.selfSigned(tempDir, tlsDir, httpsPort, managementPort))) {
            jar.awaitReady(managementPort, Duration.ofSeconds(60));
            javax.net.ssl.SSLContext tls = RawTls.trusting(tlsDir.resolve("ca.crt"));
            byte[] review = Fixtures.reviewBytes("first-ordinal-redis");

            var first = RawTls.connect(tls, httpsPort, "localhost", 20_000);
            first.write(RawTls.postHead(review.length));
            first.write(Arrays.copyOf(review, review.length / 2));
            Instant sigterm = Instant.now();
            jar.process().destroy();

            // During the delay: a new connection is still served.
            Thread.sleep(2_500);
            try (var during = RawTls.connect(tls, httpsPort, "localhost", 5_000)) {
                during.write(RawTls.post(review));
                assertThat(during.read().status()).as("served during the shutdown delay").isEqualTo(200);
            }
            // A second stalled upload, whose body timeout ends after the delay: a request in flight past it.
            var second = RawTls.connect(tls, httpsPort, "localhost", 20_000);
            second.write(RawTls.postHead(review.length));
            second.write(Arrays.copyOf(review, 10));

            sleepUntil(sigterm.plus(Duration.ofMillis(6_200)));
            assertThat(jar.process().isAlive()).as("still draining the second upload").isTrue();
            boolean refused;
            try (var after = RawTls.connect(tls, httpsPort, "localhost", 5_000)) {
                after.write(RawTls.post(review));
                after.read();
                refused = false;
            } catch (java.io.IOException closedAtAccept) {
                refused = true;
            }
            assertThat(refused).as("a connection opened after the delay is refused").isTrue();

            assertThat(first.read().status()).as("the first stalled upload is cut at its body timeout").isEqualTo(408);
            assertThat(second.read().status()).as("the second stalled upload is cut at its body timeout").isEqualTo(408);
            assertThat(jar.process().waitFor(GRACE_PERIOD.toSeconds(), TimeUnit.SECONDS)).isTrue();
            Duration exited = Duration.between(sigterm, Instant.now());
            first.close();
            second.close();
            System.out.printf("stalled uploads: exit %d after %d ms%n", jar.process().exitValue(), exited.toMillis());
            // delay 5 s, then at most the second upload's body timeout (it started 2.5 s in): ~7.5 s, not 15 s.
            assertThat(exited).isLessThan(Duration.ofMillis(11_000));
        }
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static byte[] largeReview(int size) throws Exception {
        var review = Fixtures.review("first-ordinal-redis");
        char[] padding = new char[size];
        Arrays.fill(padding, 'x');
        ((com.fasterxml.jackson.databind.node.ObjectNode) review.at("/request/object/metadata/annotations"))
                .put("example.com/padding", new String(padding));
        return Fixtures.JSON.writeValueAsBytes(review);
    }
}
