package dev.firstordinal.labeller;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** label-self's client stops reading an answer past 8 MiB instead of buffering it (before: 100 MB exited the JVM). */
class ResponseBoundTest {

    @Test
    void anAnswerPastTheBoundFailsTheCallAndIsNotReadToItsEnd() throws Exception {
        long size = 100L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, size);
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            byte[] head = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"".getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(head);
                written.addAndGet(head.length);
                while (written.get() + chunk.length <= size) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException clientWentAway) {
                // expected: the client stops reading
            }
        });
        server.start();
        try (KubernetesClient client = LabellerClient.create(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).build(), Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> client.pods().inNamespace("shop").withName("redis-0").get())
                    .hasStackTraceContaining("exceeds " + ResponseBound.MAX_BYTES + " bytes")
                    .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class, e ->
                            assertThat(ApiFailure.of(Operation.getPod("shop", "redis-0"), e).getMessage())
                                    .startsWith("get pods/redis-0 in namespace \"shop\": TooLarge: the API server's answer to GET")
                                    .doesNotContain("cannot reach"));
            assertThat(written.get()).as("bytes the server could write before the client stopped").isLessThan(size / 2);
        } finally {
            server.stop(0);
        }
    }
}
