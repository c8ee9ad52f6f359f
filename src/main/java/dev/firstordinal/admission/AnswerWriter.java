package dev.firstordinal.admission;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;


/**
 * Writes {@code /mutate}'s answers: JSON, timed from the request's start ({@link #STARTED}) into
 * {@link AdmissionMetrics}, and honouring the connection's backpressure. When the client has not taken
 * the answers already written (HTTP/1.1 pipelining without reading), the next one waits and the
 * connection is not read meanwhile, so nothing more is queued for it; if it stays stuck for the stalled
 * write timeout, the connection's socket is closed. On the request's event loop.
 */
final class AnswerWriter {

    /** How long a refused request's remaining body is read before its connection is closed anyway. */
    static final java.time.Duration LINGER = java.time.Duration.ofSeconds(1);

    /** The routing context key of the request's start, {@link System#nanoTime()}. */
    static final String STARTED = "first-ordinal.started";
    /** The routing context key of the {@link Written} answer, set before the response ends. */
    static final String WRITTEN = "first-ordinal.written";

    /** An answer handed to the connection: {@code bytes} long, {@code done} once on the wire or failed. */
    record Written(int bytes, Future<Void> done) {
    }
    private static final Logger LOG = Logger.getLogger(MutateRoute.class);

    private final AdmissionMetrics metrics;
    private final long stalledWriteTimeoutMillis;

    AnswerWriter(AdmissionMetrics metrics, long stalledWriteTimeoutMillis) {
        this.metrics = metrics;
        this.stalledWriteTimeoutMillis = stalledWriteTimeoutMillis;
    }

    /** A JSON {@code {"error": message}} answer with {@code status}, counted with {@code reason}; closes the connection if asked. */
    void error(RoutingContext ctx, int status, String message, boolean close, AdmissionMetrics.Reason reason) {
        send(ctx, status, json(message), close, reason);
    }

    /** Sends {@code body}, waiting for the client to take earlier answers first (see the class comment). */
    void send(RoutingContext ctx, int status, Buffer body, boolean close, AdmissionMetrics.Reason reason) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (!response.writeQueueFull()) {
            write(ctx, status, body, close, reason);
            return;
        }
        metrics.stalledWrite();
        HttpConnection connection = ctx.request().connection();
        boolean paused = ConnectionGuard.pauseReading(connection);
        boolean[] done = new boolean[1];
        long timer = ctx.vertx().setTimer(stalledWriteTimeoutMillis, id -> {
            if (!done[0]) {
                done[0] = true;
                LOG.debugf("closing a connection from %s: it took no answer for %d ms", connection.remoteAddress(), stalledWriteTimeoutMillis);
                metrics.clientClosed();
                // Not connection.close(): that waits to flush what the client is not reading.
                ConnectionGuard.closeNow(connection);
            }
        });
        response.drainHandler(drained -> {
            if (done[0]) {
                return;
            }
            done[0] = true;
            ctx.vertx().cancelTimer(timer);
            if (paused) {
                ConnectionGuard.resumeReading(connection);
            }
            write(ctx, status, body, close, reason);
        });
    }

    private void write(RoutingContext ctx, int status, Buffer body, boolean close, AdmissionMetrics.Reason reason) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("content-type", "application/json");
        // Known before end(): the context's end handlers, which run within end(), keep the answer's bytes counted
        // in the body budget until it is written (ReviewBody).
        Promise<Void> written = Promise.promise();
        ctx.put(WRITTEN, new Written(body.length(), written.future()));
        if (close) {
            response.putHeader("connection", "close");
            HttpServerRequest request = ctx.request();
            response.end(body).onComplete(done -> closeAfterTheBody(ctx, request)).onComplete(written);
        } else {
            response.end(body).onComplete(written);
        }
        metrics.answered(reason, startOf(ctx));
    }

    /**
     * Closes a connection whose request is refused, after reading what is left of its body (for at most
     * {@link #LINGER}): closing with unread bytes makes the kernel reset the connection, and a client
     * still sending (an oversized body) then loses the answer it was sent.
     */
    private static void closeAfterTheBody(RoutingContext ctx, HttpServerRequest request) {
        HttpConnection connection = request.connection();
        if (request.isEnded()) {
            connection.close();
            return;
        }
        long timer = ctx.vertx().setTimer(LINGER.toMillis(), t -> connection.close());
        request.handler(discarded -> { });
        request.endHandler(end -> {
            ctx.vertx().cancelTimer(timer);
            connection.close();
        });
        request.resume();
    }

    /** When the request started; now if unknown. */
    static long startOf(RoutingContext ctx) {
        Long started = ctx.get(STARTED);
        return started == null ? System.nanoTime() : started;
    }

    /** The JSON error body ({@link AnswerEncoding#error}). */
    static Buffer json(String message) {
        return Buffer.buffer(AnswerEncoding.error(message));
    }

    /** A JSON error answer outside {@code /mutate}'s accounting (405, 404, 503). */
    static void uncounted(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json(message));
    }
}
