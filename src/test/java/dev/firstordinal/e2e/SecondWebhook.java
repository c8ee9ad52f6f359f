package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.firstordinal.certs.Pem;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A second mutating webhook for the reinvocation test: it adds one annotation (idempotently) and
 * records every pod it was shown. It serves the certificate the {@code certs} command issued for
 * 127.0.0.1, so the same caBundle trusts it.
 */
final class SecondWebhook implements AutoCloseable {

    static final String ANNOTATION = "e2e.first-ordinal.dev/second";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpsServer server;
    final List<JsonNode> seen = new CopyOnWriteArrayList<>();

    SecondWebhook(Path certificates) throws Exception {
        List<X509Certificate> chain = Pem.certificates(Files.readString(certificates.resolve("tls.crt")));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("tls", Pem.privateKey(Files.readString(certificates.resolve("tls.key"))), new char[0],
                chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/mutate", exchange -> {
            JsonNode review = JSON.readTree(exchange.getRequestBody());
            JsonNode pod = review.path("request").path("object");
            seen.add(pod);
            ObjectNode response = JSON.createObjectNode().put("uid", review.path("request").path("uid").asText()).put("allowed", true);
            if (!pod.path("metadata").path("annotations").has(ANNOTATION)) {
                ArrayNode patch = JSON.createArrayNode();
                if (pod.path("metadata").has("annotations")) {
                    patch.addObject().put("op", "add").put("path", "/metadata/annotations/" + ANNOTATION.replace("/", "~1")).put("value", "yes");
                } else {
                    patch.addObject().put("op", "add").put("path", "/metadata/annotations").putObject("value").put(ANNOTATION, "yes");
                }
                response.put("patchType", "JSONPatch").put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(patch)));
            }
            ObjectNode answer = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
            answer.set("response", response);
            byte[] body = JSON.writeValueAsString(answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
