package dev.firstordinal.admission;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The management port's server, the project's own through public Vert.x API: it serves Quarkus' management router
 * (health, metrics) with the connection guard's limits ({@link ManagementConnection}), HTTP/1.1 only, and answers
 * requests its decoder refuses with the project's one-line JSON error. Quarkus' own management server stays on
 * loopback, out of reach from outside the pod.
 */
final class ManagementServer {

    /** Quarkus' defaults for its management interface, which this server replaces on the network. */
    private static final int MAX_INITIAL_LINE_LENGTH = 4096;
    private static final int MAX_HEADER_SIZE = 20 * 1024;

    private ManagementServer() {
    }

    /**
     * Listens on {@code port} (all interfaces) with the guard in place before the first connection; blocks until it
     * listens and returns the port, or throws (the application does not start without its management port).
     */
    static int listen(Vertx vertx, Router router, int port, ConnectionLimit limit, Duration headerTimeout, Duration idleTimeout) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost("0.0.0.0")
                .setPort(port)
                // HTTP/1.1 only; and without the h2c check Vert.x hands each connection over at accept.
                .setHttp2ClearTextEnabled(false)
                .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                .setMaxHeaderSize(MAX_HEADER_SIZE);
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(connection -> ManagementConnection.accepted(connection, vertx, limit,
                        headerTimeout.toMillis(), idleTimeout.toMillis()))
                .invalidRequestHandler(ManagementServer::invalid)
                .requestHandler(router);
        try {
            return server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the management port " + port + " was opened", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on the management port " + port + ": " + e.getMessage(), e);
        }
    }

    /** A request the decoder refused: 400, 414 or 431 with the JSON error, and the connection closed. */
    private static void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        request.response().setStatusCode(status).putHeader("content-type", "application/json").putHeader("connection", "close")
                .end(AnswerWriter.json(InvalidRequestAnswers.messageFor(status)))
                .onComplete(done -> request.connection().close());
    }
}
