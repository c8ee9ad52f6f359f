package dev.firstordinal.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An HTTPS client that calls the webhook as the API server does: it dials 127.0.0.1 but sends and
 * verifies a Service DNS name (SNI and hostname check), trusting only the given CA files (the
 * caBundle), over HTTP/1.1.
 */
public final class TlsClient implements AutoCloseable {

    /**
     * A response, with the certificate the server presented on that connection, the HTTP version it
     * answered with and an identity of the connection (equal for two replies on one connection).
     */
    public record Reply(int status, String contentType, byte[] body, X509Certificate peer, HttpVersion version, int connectionId) {
    }

    private final HttpClient client;

    private TlsClient(HttpClient client) {
        this.client = client;
    }

    /** A client that keeps connections alive (pool of {@code connections}) or opens a new one per request. */
    public static TlsClient trusting(Vertx vertx, boolean keepAlive, int connections, Path... caFiles) {
        return trusting(vertx, keepAlive, connections, HttpVersion.HTTP_1_1, caFiles);
    }

    /** As above, offering {@code version} (HTTP/2 through ALPN). */
    public static TlsClient trusting(Vertx vertx, boolean keepAlive, int connections, HttpVersion version, Path... caFiles) {
        PemTrustOptions trust = new PemTrustOptions();
        for (Path ca : caFiles) {
            trust.addCertPath(ca.toString());
        }
        return new TlsClient(vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(trust)
                .setVerifyHost(true)
                .setForceSni(true)
                .setKeepAlive(keepAlive)
                .setMaxPoolSize(connections)
                .setConnectTimeout(5000)
                .setProtocolVersion(version)
                .setUseAlpn(version == HttpVersion.HTTP_2)));
    }

    /** POSTs {@code body} to {@code /mutate} on 127.0.0.1:{@code port}, presenting {@code serverName}. */
    public Reply post(int port, String serverName, byte[] body) throws Exception {
        return send(HttpMethod.POST, port, serverName, body);
    }

    /** Sends {@code method} with {@code body} to {@code /mutate} on 127.0.0.1:{@code port}, presenting {@code serverName}. */
    public Reply send(HttpMethod method, int port, String serverName, byte[] body) throws Exception {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
                .setHost(serverName)
                .setPort(port)
                .setURI("/mutate")
                .setTimeout(10_000)
                .putHeader("content-type", "application/json");
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(body))
                        .compose(response -> response.body().map(b -> new Reply(response.statusCode(),
                                String.valueOf(response.getHeader("content-type")), b.getBytes(), peer(request.connection()),
                                response.version(), request.connection().hashCode()))))
                .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private static X509Certificate peer(io.vertx.core.http.HttpConnection connection) {
        try {
            List<Certificate> certificates = connection.peerCertificates();
            return certificates.isEmpty() ? null : (X509Certificate) certificates.get(0);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new IllegalStateException("TLS peer not verified", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
