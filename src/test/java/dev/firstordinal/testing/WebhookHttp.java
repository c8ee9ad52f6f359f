package dev.firstordinal.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Posts AdmissionReviews for pods to the webhook over TLS, trusting only the test CA. */
public final class WebhookHttp {

    private final HttpClient http;
    private final URI mutate;

    public WebhookHttp(URL mutate) throws Exception {
        this.http = HttpClient.newBuilder().sslContext(RawTls.trusting(TestTls.caCertificate())).connectTimeout(Duration.ofSeconds(5)).build();
        this.mutate = new URI("https", null, "localhost", mutate.getPort(), "/mutate", null, null);
    }

    /** Posts to {@code mutate} (an https URL), trusting only {@code caCertificate}. */
    public WebhookHttp(URI mutate, java.nio.file.Path caCertificate) throws Exception {
        this.http = HttpClient.newBuilder().sslContext(RawTls.trusting(caCertificate)).connectTimeout(Duration.ofSeconds(5)).build();
        this.mutate = mutate;
    }

    /** The AdmissionReview response for a CREATE of {@code pod} in {@code namespace}. */
    public JsonNode create(Pod pod, String namespace) throws Exception {
        try {
            return createAsync(pod, namespace).get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** As {@link #create}, without waiting. Requests share one HTTP/2 connection, hence one server event loop. */
    public java.util.concurrent.CompletableFuture<JsonNode> createAsync(Pod pod, String namespace) {
        ObjectNode review = Fixtures.review("first-ordinal-redis");
        ObjectNode request = (ObjectNode) review.get("request");
        request.put("namespace", namespace);
        request.put("name", pod.getMetadata().getName());
        byte[] body = Fixtures.withObject(review, Fixtures.JSON.valueToTree(pod));
        return http.sendAsync(HttpRequest.newBuilder(mutate)
                        .timeout(Duration.ofSeconds(10))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new AssertionError("POST /mutate answered " + response.statusCode() + ": " + new String(response.body()));
                    }
                    return Fixtures.tree(response.body());
                });
    }
}
