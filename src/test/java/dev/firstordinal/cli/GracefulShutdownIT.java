package dev.firstordinal.cli;

import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM on the packaged jar: readiness turns 503 at once, a review that is half-sent when the
 * signal comes still gets its 200, and the process exits within the shutdown delay + timeout.
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
        try (JarProcess jar = JarProcess.start(List.of(
                "-Dfirst-ordinal.tls.cert-file=" + tempDir.resolve("absent.crt"),
                "-Dfirst-ordinal.tls.key-file=" + tempDir.resolve("absent.key"),
                "-Dfirst-ordinal.tls.self-signed-dir=" + tlsDir,
                "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dquarkus.management.port=" + managementPort))) {
            URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
            awaitStatus(jar, ready, 200, Duration.ofSeconds(60));

            // A ~5 MB review (the first-ordinal fixture padded with a large annotation), of which only
            // the headers and the first half are sent before SIGTERM.
            byte[] body = largeReview(5 * 1024 * 1024);
            SSLSocket socket = (SSLSocket) ServeFromJarIT.trusting(tlsDir.resolve("ca.crt")).getSocketFactory()
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
            int readyStatus = awaitNot(jar, ready, 200, Duration.ofSeconds(10));
            Duration readinessDown = Duration.between(sigterm, Instant.now());
            assertThat(readyStatus).isEqualTo(503);
            assertThat(jar.process().isAlive()).isTrue();

            // Finish the in-flight review while the shutdown is under way. (Sending it after the 5 s delay
            // works too, but a 5 MB review on a busy 2-core CI machine can then come close to the 10 s timeout.)
            Thread.sleep(2_000);
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

    private static byte[] largeReview(int size) throws Exception {
        var review = Fixtures.review("first-ordinal-redis");
        char[] padding = new char[size];
        Arrays.fill(padding, 'x');
        ((com.fasterxml.jackson.databind.node.ObjectNode) review.at("/request/object/metadata/annotations"))
                .put("example.com/padding", new String(padding));
        return Fixtures.JSON.writeValueAsBytes(review);
    }

    private static void awaitStatus(JarProcess jar, URI uri, int status, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!jar.process().isAlive()) {
                throw new AssertionError("jar exited early:\n" + jar.output());
            }
            if (statusOf(uri) == status) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(uri + " did not answer " + status + " within " + timeout + ":\n" + jar.output());
    }

    /** Polls until the status is not {@code status}; returns it (-1: not listening). */
    private static int awaitNot(JarProcess jar, URI uri, int status, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            int now = statusOf(uri);
            if (now != status) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(uri + " still answered " + status + " after " + timeout + ":\n" + jar.output());
    }

    private static int statusOf(URI uri) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception notListening) {
            return -1;
        }
    }
}
