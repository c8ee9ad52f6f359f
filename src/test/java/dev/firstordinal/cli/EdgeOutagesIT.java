package dev.firstordinal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.RawTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The five outages of issue 28, each against the packaged jar with the image's JVM flags: one webhook for the class,
 * its connection limit lowered to 32 so that the tests fill it at once. Every test leaves no connection open.
 */
class EdgeOutagesIT {

    private static final int LIMIT = 32;

    @TempDir
    static Path tempDir;

    private static AttackSurvivalIT.Webhook webhook;

    @BeforeAll
    static void start() throws Exception {
        webhook = AttackSurvivalIT.Webhook.start(tempDir, List.of("-Dfirst-ordinal.admission.max-connections=" + LIMIT));
    }

    @AfterAll
    static void stop() throws Exception {
        if (webhook != null) {
            webhook.close();
        }
    }

    /**
     * Connections that each sent a review and then stay idle hold every slot of the cap. Before: only connections
     * that never sent a request could be evicted, so every new connection was refused until one idled out (120 s).
     */
    @Test
    void idleKeepAliveConnectionsThatSentARequestMakeRoomForNewOnes() throws Exception {
        List<RawTls> idle = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT; i++) {
                RawTls connection = RawTls.connect(webhook.tls, webhook.httpsPort, "localhost", 3_000);
                idle.add(connection);
                connection.write(RawTls.post(Fixtures.reviewBytes("first-ordinal-redis")));
                assertThat(connection.read().status()).isEqualTo(200);
            }
            double evictedBefore = webhook.metric("first_ordinal_http_connections_evicted_total");
            for (int i = 0; i < 5; i++) {
                int status;
                try {
                    status = webhook.post(Fixtures.reviewBytes("first-ordinal-redis"), 3_000);
                } catch (IOException refused) {
                    status = -1;
                }
                assertThat(status).as("new connection %d with %d idle keep-alive connections open", i, LIMIT).isEqualTo(200);
            }
            // The first new connection evicts the longest idle one; the later ones take the slot each predecessor left.
            assertThat(webhook.metric("first_ordinal_http_connections_evicted_total") - evictedBefore).isGreaterThanOrEqualTo(1.0);
            assertThat(idle.get(0).closedByServer()).as("the longest idle connection made room").isTrue();
        } finally {
            for (RawTls connection : idle) {
                connection.close();
            }
        }
    }

    /**
     * The management port: connections that send a partial request and stay are closed at the header timeout, and
     * past its cap the oldest is closed at once. Before: no cap and no deadline; thousands of them exhausted the direct
     * memory and the liveness probe timed out for good.
     */
    @Test
    void theManagementPortCapsConnectionsAndClosesThoseThatDoNotSendHeaders() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            byte[] partial = ("GET /q/health/live HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(15 * 1024))
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 100; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", webhook.managementPort), 2_000);
                slow.add(socket);
                socket.getOutputStream().write(partial);
            }
            long start = System.nanoTime();
            HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + webhook.managementPort + "/q/health/live")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            // Past the cap at once, all of them within the 5 s header timeout (and a margin).
            long deadline = System.nanoTime() + Duration.ofSeconds(9).toNanos();
            int closed = 0;
            for (Socket socket : slow) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                if (closedWithin(socket, (int) left)) {
                    closed++;
                }
            }
            assertThat(closed).as("slow connections closed by the server").isEqualTo(slow.size());
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    /**
     * A first-ordinal pod with a huge name, an invalid schedule annotation, a container annotation naming a missing
     * container and no redis container. Before: its name was in two warnings and the answer was twice the review.
     */
    @Test
    void warningsAreBoundedWhateverTheSizeOfTheNamesTheyQuote() throws Exception {
        String owner = "s".repeat(600_000);
        ObjectNode review = Fixtures.review("container-annotation-naming-missing-container");
        ObjectNode metadata = (ObjectNode) review.at("/request/object/metadata");
        metadata.put("name", owner + "-0");
        ((ObjectNode) metadata.get("annotations")).put("first-ordinal.dev/schedule", "not a valid label value " + owner);
        ((ObjectNode) metadata.get("annotations")).put("first-ordinal.dev/container", "nope-" + owner);
        ((ObjectNode) metadata.at("/ownerReferences/0")).put("name", owner);
        ArrayNode containers = (ArrayNode) review.at("/request/object/spec/containers");
        containers.remove(0);
        byte[] body = Fixtures.JSON.writeValueAsBytes(review);
        try (RawTls client = RawTls.connect(webhook.tls, webhook.httpsPort, "localhost", 10_000)) {
            client.write(RawTls.post(body));
            RawTls.Answer answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            JsonNode warnings = Fixtures.tree(answer.body().getBytes(StandardCharsets.UTF_8)).at("/response/warnings");
            assertThat(warnings.size()).as("warnings: %s", warnings).isGreaterThanOrEqualTo(2);
            int total = 0;
            for (JsonNode warning : warnings) {
                assertThat(warning.asText().length()).isLessThanOrEqualTo(256);
                total += warning.asText().length();
            }
            assertThat(total).isLessThanOrEqualTo(4096);
            assertThat(answer.body().length()).as("answer of a %d-byte review", body.length).isLessThan(16_384);
        }
    }

    /**
     * Names with CR, LF and ESC and of 100,000 characters in a pod that is marked. Before: the INFO line carried them
     * raw, so a forged ERROR line appeared on its own, and one review wrote a line as long as its names.
     */
    @Test
    void logLinesEscapeControlCharactersAndBoundWhatARequestSupplies() throws Exception {
        String forged = "\r\n2026-01-01 00:00:00,000 ERROR [forged] (x) injected\u001b[31m";
        String owner = "shard" + forged + "o".repeat(100_000);
        ObjectNode review = Fixtures.review("first-ordinal-redis");
        ((ObjectNode) review.get("request")).put("namespace", "redis" + forged);
        ObjectNode metadata = (ObjectNode) review.at("/request/object/metadata");
        metadata.put("name", owner + "-0");
        metadata.put("namespace", "redis" + forged);
        ((ObjectNode) metadata.at("/ownerReferences/0")).put("name", owner);
        byte[] body = Fixtures.JSON.writeValueAsBytes(review);
        try (RawTls client = RawTls.connect(webhook.tls, webhook.httpsPort, "localhost", 10_000)) {
            client.write(RawTls.post(body));
            RawTls.Answer answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("\"patch\"");
        }
        String marked = awaitLine("marked pod for backup: namespace=redis");
        assertThat(marked.length()).as("the INFO line").isLessThan(2_000);
        assertThat(marked).doesNotContain("\u001b").doesNotContain("\r");
        assertThat(webhook.jar.output()).doesNotContainPattern("(?m)^2026-01-01 00:00:00,000 ERROR \\[forged]")
                .doesNotContain("\u001b[31m");
    }

    /**
     * One source opening connections far faster than any API server: past its per-source rate they are closed at
     * accept, before a TLS handshake costs CPU, while a client from another source is served. Before: every one was
     * accepted and handshaken (a ClientHello flood took the JVM to 100 % of its CPU). A webhook of its own, its rate
     * lowered to 10 a second: at the shipped 100 (burst 100), a loaded machine that took over 1 s to open the 300
     * connections let the bucket refill, and fewer than 100 were refused (the rate held; the test's timing did not).
     * At 10, at most 10 + 10 a second of them are accepted, so 100 or more are refused unless opening them takes 19 s.
     */
    @Test
    void aSourceOpeningConnectionsFasterThanItsRateIsRefusedAtAccept() throws Exception {
        InetAddress attacker = InetAddress.getByName("127.0.0.2");
        Path dir = java.nio.file.Files.createDirectories(tempDir.resolve("rate"));
        List<Socket> flood = new ArrayList<>();
        try (AttackSurvivalIT.Webhook limited = AttackSurvivalIT.Webhook.start(dir,
                List.of("-Dfirst-ordinal.admission.source-connection-rate=10"))) {
            try {
                for (int i = 0; i < 300; i++) {
                    Socket socket = new Socket();
                    socket.bind(new InetSocketAddress(attacker, 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", limited.httpsPort), 2_000);
                    flood.add(socket);
                }
                int closedAtOnce = 0;
                for (Socket socket : flood) {
                    if (closedWithin(socket, 20)) {
                        closedAtOnce++;
                    }
                }
                assertThat(limited.metric("first_ordinal_http_connections_refused_total{reason=\"rate\"}"))
                        .as("refused for the source's rate").isGreaterThanOrEqualTo(100.0);
                assertThat(closedAtOnce).isGreaterThanOrEqualTo(100);
                assertThat(limited.post(Fixtures.reviewBytes("first-ordinal-redis"), 3_000)).isEqualTo(200);
            } finally {
                for (Socket socket : flood) {
                    socket.close();
                }
            }
        }
    }

    /**
     * The request {@code java.net.http.HttpClient} sends on an {@code http://} URI (its default version is HTTP/2): it
     * offers an h2c upgrade. Written by hand so that each connection is closed at once (Java 17's client has no close).
     */
    private static final byte[] H2C_OFFER = ("GET /q/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQBAAAAAAUAAEAA\r\n"
            + "User-Agent: Java-http-client/17\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    /**
     * 100 connections one after the other to the management port, each offering an h2c upgrade and closed after the
     * answer, then a connection of {@code java.net.http.HttpClient}. Before: Vert.x's upgrade took the connection's
     * guard out of its pipeline, so the cap (64) went on counting each upgraded connection after it closed: from the
     * 65th on, every connection, health probes included, was closed unanswered.
     */
    @Test
    void managementConnectionsThatOfferH2cLeaveTheCapWhenTheyClose() throws Exception {
        InetAddress source = InetAddress.getByName("127.0.0.3");
        double before = managementMetric("first_ordinal_http_management_connections");
        for (int i = 0; i < 100; i++) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(source, 0));
                socket.connect(new InetSocketAddress("127.0.0.1", webhook.managementPort), 2_000);
                socket.setSoTimeout(3_000);
                socket.getOutputStream().write(H2C_OFFER);
                assertThat(statusLine(socket.getInputStream())).as("connection %d offering h2c", i).startsWith("HTTP/1.1 ");
            }
        }
        HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + webhook.managementPort + "/q/health/live")).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        // The HttpClient's connection stays open (idle); the 100 closed ones are no longer counted.
        assertThat(awaitMetricAtMost("first_ordinal_http_management_connections", before + 1))
                .as("open management connections after 100 closed ones (%s before)", before).isLessThanOrEqualTo(before + 1);
    }

    /** The management port serves HTTP/1.1 only: an h2c upgrade offer gets an HTTP/1.1 answer, not 101. */
    @Test
    void theManagementPortAnswersAnH2cOfferInHttp11() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", webhook.managementPort), 2_000);
            socket.setSoTimeout(3_000);
            socket.getOutputStream().write(H2C_OFFER);
            assertThat(statusLine(socket.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    /**
     * 100 connections one after the other to the TLS port that offer HTTP/2 by ALPN (as {@code java.net.http.HttpClient}
     * does on {@code https://}), each sending a review and closing: none stays counted.
     */
    @Test
    void tlsConnectionsThatOfferH2ByAlpnLeaveTheCapWhenTheyClose() throws Exception {
        InetAddress source = InetAddress.getByName("127.0.0.3");
        double before = managementMetric("first_ordinal_http_connections");
        for (int i = 0; i < 100; i++) {
            try (RawTls client = RawTls.connect(webhook.tls, source, webhook.httpsPort, "localhost", 3_000, "h2", "http/1.1")) {
                assertThat(client.socket().getApplicationProtocol()).as("the protocol chosen").isIn("", "http/1.1");
                client.write(RawTls.post(Fixtures.reviewBytes("first-ordinal-redis")));
                assertThat(client.read().status()).as("connection %d offering h2", i).isEqualTo(200);
            }
        }
        assertThat(webhook.post(Fixtures.reviewBytes("first-ordinal-redis"), 3_000)).isEqualTo(200);
        assertThat(awaitMetricAtMost("first_ordinal_http_connections", before))
                .as("open TLS connections after 100 closed ones (%s before)", before).isLessThanOrEqualTo(before);
    }

    /** The first line the server answers on {@code in}. */
    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 200; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /**
     * A series on the management port's /q/metrics, read on a connection closed with the answer (so that the reading
     * itself leaves no connection open); 0 when the series is absent.
     */
    private static double managementMetric(String series) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", webhook.managementPort), 2_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /q/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(series) + " ([0-9.Ee+-]+)$").matcher(text);
            if (!m.find()) {
                throw new AssertionError("no series " + series + " in:\n" + tail(text));
            }
            return Double.parseDouble(m.group(1));
        }
    }

    /** The series once it is at most {@code bound} (connections close asynchronously), or its value after 5 s. */
    private static double awaitMetricAtMost(String series, double bound) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        double value = managementMetric(series);
        while (value > bound && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = managementMetric(series);
        }
        return value;
    }

    /** True when the server closed {@code socket} (EOF or reset) within {@code millis}; whatever it sent is discarded. */
    private static boolean closedWithin(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String awaitLine(String containing) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            for (String line : webhook.jar.output().split("\n")) {
                if (line.contains(containing)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line with '" + containing + "' in the output:\n" + tail(webhook.jar.output()));
            }
            Thread.sleep(100);
        }
    }

    private static String tail(String output) {
        return output.length() <= 4_000 ? output : output.substring(output.length() - 4_000);
    }
}
