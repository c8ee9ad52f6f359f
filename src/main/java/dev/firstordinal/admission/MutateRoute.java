package dev.firstordinal.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The HTTP edge: {@code POST /mutate} on the TLS port. Decodes the body, calls the
 * {@link AdmissionReviewHandler}, encodes. Runs on the event loop: the work is a few microseconds
 * of CPU and makes no blocking call, as long as the pod's StatefulSet is in the cache. When it is
 * not, the request is answered again on a worker thread, where the lookup may GET the StatefulSet.
 *
 * <p>What one request or connection may cost is bounded here (docs/operations-limits.md): the body is read
 * into one array of its declared size, reserved first in the {@link BodyBudget} (429 when it does not fit),
 * must be at most {@code max-body-bytes} (a JSON 400, also for a declared Content-Length, without reading it)
 * and must arrive within the body timeout (408). Bodies over {@link BodyBudget#LARGE_BODY_BYTES} are parsed
 * one at a time on one thread, so the parse objects of at most one large pod are in the heap. An answer to a
 * client that does not read its answers waits (its connection stops being read) instead of queueing, and the
 * connection is closed when it stays stuck. A client that goes away mid-request is counted and logged at DEBUG.
 */
@ApplicationScoped
public class MutateRoute {

    public static final String PATH = "/mutate";
    private static final Logger LOG = Logger.getLogger(MutateRoute.class);

    private static final String STARTED = "first-ordinal.started";

    private final AdmissionReviewHandler handler;
    private final StartOrdinalLookup starts;
    private final AdmissionMetrics metrics;
    private final int maxBodyBytes;
    private final BodyBudget budget;
    private final long bodyTimeoutNanos;
    private final long stalledWriteTimeoutMillis;
    /** Parses bodies over {@link BodyBudget#LARGE_BODY_BYTES}, one at a time; its queue is bounded by the budget. */
    private final ExecutorService largeReviews = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "first-ordinal-large-reviews");
        thread.setDaemon(true);
        return thread;
    });

    MutateRoute(AdmissionReviewHandler handler, StartOrdinalLookup starts, AdmissionMetrics metrics, FirstOrdinalConfig config) {
        this.handler = handler;
        this.starts = starts;
        this.metrics = metrics;
        this.maxBodyBytes = config.admission().maxBodyBytes();
        this.budget = new BodyBudget(config.admission().bodiesInFlightBytes());
        this.bodyTimeoutNanos = config.admission().bodyTimeout().toNanos();
        this.stalledWriteTimeoutMillis = Math.max(1, config.admission().stalledWriteTimeout().toMillis());
        metrics.budget(budget);
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(MutateRoute::started);
        router.route(HttpMethod.POST, PATH)
                .handler(this::mutate)
                .failureHandler(this::failed);
        router.route(PATH).handler(ctx -> error(ctx, 405, "use POST with an admission.k8s.io/v1 AdmissionReview body"));
        router.route().last().handler(ctx -> error(ctx, 404, "not found: this server answers POST " + PATH + " only"));
    }

    /**
     * Every request, first: the headers are here, so the connection's header deadline is met. Latency is
     * measured from here, before the body is read: the API server waits for all of it.
     */
    private static void started(RoutingContext ctx) {
        ctx.put(STARTED, System.nanoTime());
        HttpConnection connection = ctx.request().connection();
        ConnectionGuard.requestStarted(connection);
        ctx.addEndHandler(done -> ConnectionGuard.requestEnded(connection));
        ctx.next();
    }

    private void mutate(RoutingContext ctx) {
        long declared = declaredLength(ctx.request());
        if (declared > maxBodyBytes) {
            // Not read at all: answered at once, and the connection closed (its body would follow).
            badRequest(ctx, "request body of " + declared + " bytes exceeds the limit of " + maxBodyBytes + " bytes", true);
            return;
        }
        new Body(ctx, declared).read();
    }

    /** The declared Content-Length; -1 when there is none (chunked). */
    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // Netty's decoder already refuses a malformed one
        }
    }

    /** One request's body: reserved, read into one array, answered, released. On the connection's event loop. */
    private final class Body {
        private final RoutingContext ctx;
        private final long declared;
        private final Context context;
        private byte[] bytes = new byte[0];
        private int length;
        private long reserved;
        private boolean finished;
        private boolean parsing;
        private long timer = -1;

        Body(RoutingContext ctx, long declared) {
            this.ctx = ctx;
            this.declared = declared;
            this.context = ctx.vertx().getOrCreateContext();
        }

        void read() {
            HttpServerRequest request = ctx.request();
            if (declared > 0) {
                if (!budget.tryReserve(declared, declared)) {
                    overloaded();
                    return;
                }
                reserved = declared;
                bytes = new byte[(int) declared];
            }
            ctx.addEndHandler(done -> {
                if (!finished) {
                    finished = true;
                    clientClosed(null);
                }
                if (!parsing) {
                    release();
                }
            });
            long left = bodyTimeoutNanos - (System.nanoTime() - startOf(ctx));
            timer = ctx.vertx().setTimer(Math.max(1, left / 1_000_000), id -> tooSlow());
            request.handler(this::chunk);
            request.endHandler(done -> end());
            request.exceptionHandler(this::failedWhileReading);
            if (request.isEnded()) {
                end();
            } else {
                request.resume();
            }
        }

        private void chunk(Buffer chunk) {
            if (finished) {
                return;
            }
            int size = chunk.length();
            if ((long) length + size > maxBodyBytes) {
                stop();
                badRequest(ctx, "request body exceeds the limit of " + maxBodyBytes + " bytes", true);
                return;
            }
            if (length + size > bytes.length) {
                // Chunked (or longer than declared): grow, reserving the growth first.
                int capacity = (int) Math.min(maxBodyBytes, Math.max((long) length + size, Math.max(16_384L, bytes.length * 2L)));
                long more = capacity - reserved;
                if (more > 0 && !budget.tryReserve(more, capacity)) {
                    stop();
                    overloaded();
                    return;
                }
                reserved += Math.max(0, more);
                bytes = Arrays.copyOf(bytes, capacity);
            }
            chunk.getBytes(0, size, bytes, length);
            length += size;
        }

        private void end() {
            if (finished) {
                return;
            }
            stop();
            byte[] body = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
            bytes = null;
            if (body.length <= BodyBudget.LARGE_BODY_BYTES) {
                answer(ctx, body);
                release();
                return;
            }
            parsing = true;
            try {
                largeReviews.execute(() -> {
                    Parsed parsed = parse(body);
                    context.runOnContext(v -> {
                        parsing = false;
                        respond(ctx, parsed);
                        release();
                    });
                });
            } catch (RejectedExecutionException shuttingDown) {
                parsing = false;
                release();
                error(ctx, 503, "shutting down");
            }
        }

        private void stop() {
            finished = true;
            if (timer >= 0) {
                ctx.vertx().cancelTimer(timer);
                timer = -1;
            }
        }

        private void release() {
            if (reserved > 0) {
                budget.release(reserved);
                reserved = 0;
            }
            bytes = null;
        }

        private void overloaded() {
            String message = "webhook overloaded: " + budget.inFlight() + " of " + budget.limit()
                    + " bytes of request bodies in flight; retry later";
            LOG.debugf("429 for %s: %s", PATH, message);
            send(ctx, 429, json(message), true, AdmissionMetrics.Reason.OVERLOADED);
            release();
        }

        private void tooSlow() {
            timer = -1;
            if (finished) {
                return;
            }
            finished = true;
            String message = "request body did not arrive within " + bodyTimeoutNanos / 1_000_000 + " ms ("
                    + length + " of " + (declared >= 0 ? declared + " bytes" : "a chunked body") + ")";
            LOG.debugf("408 for %s: %s", PATH, message);
            send(ctx, 408, json(message), true, AdmissionMetrics.Reason.BODY_TIMEOUT);
            release();
        }

        private void failedWhileReading(Throwable failure) {
            if (finished) {
                return;
            }
            stop();
            clientClosed(failure);
            release();
        }
    }

    private void clientClosed(Throwable failure) {
        metrics.clientClosed();
        LOG.debugf("client closed or reset %s before its answer%s", PATH, failure == null ? "" : ": " + failure);
    }

    /** The review read and answered from the cache, or the reason it is not a usable review. */
    private record Parsed(AdmissionReviewReader.Request request, AdmissionReviewHandler.Answer answer, CacheOnlyLookup cacheOnly,
                          BadAdmissionReview bad) {
    }

    private Parsed parse(byte[] bytes) {
        CacheOnlyLookup cacheOnly = new CacheOnlyLookup(starts);
        try {
            AdmissionReviewReader.Request request = handler.read(bytes);
            return new Parsed(request, handler.answer(request, cacheOnly), cacheOnly, null);
        } catch (BadAdmissionReview e) {
            return new Parsed(null, null, cacheOnly, e);
        }
    }

    private void answer(RoutingContext ctx, byte[] bytes) {
        respond(ctx, parse(bytes));
    }

    private void respond(RoutingContext ctx, Parsed parsed) {
        if (parsed.bad() != null) {
            LOG.debugf("400 for %s: %s", PATH, parsed.bad().getMessage());
            badRequest(ctx, parsed.bad().getMessage(), false);
            return;
        }
        if (!parsed.cacheOnly().missed()) {
            respond(ctx, parsed.answer());
            return;
        }
        // The review is read once; only the decision is made again, where the lookup may block.
        AdmissionReviewReader.Request request = parsed.request();
        ctx.vertx().executeBlocking(() -> handler.answer(request, starts), false)
                .onSuccess(blockingAnswer -> respond(ctx, blockingAnswer))
                .onFailure(ctx::fail);
    }

    private void respond(RoutingContext ctx, AdmissionReviewHandler.Answer answer) {
        // Wrapped, not copied: the answer array is never touched again.
        send(ctx, 200, Buffer.buffer(Unpooled.wrappedBuffer(answer.body())), false, AdmissionMetrics.reasonFor(answer));
        if (answer.patched()) {
            logMarked(answer); // after the answer is on its way: the API server does not wait for the log
        }
    }

    private void badRequest(RoutingContext ctx, String message, boolean close) {
        send(ctx, 400, json(message), close, AdmissionMetrics.Reason.BAD_REQUEST);
    }

    /**
     * Writes an answer, honouring the connection's backpressure: when the client has not taken the answers
     * already written (HTTP/1.1 pipelining without reading), this one waits and the connection is not read
     * meanwhile, so nothing more is queued for it; if it stays stuck, the connection is closed.
     */
    private void send(RoutingContext ctx, int status, Buffer body, boolean close, AdmissionMetrics.Reason reason) {
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
        ConnectionBase base = connection instanceof ConnectionBase b ? b : null;
        if (base != null) {
            base.doPause();
        }
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
            if (base != null) {
                base.doResume();
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
        if (close) {
            response.putHeader("connection", "close");
        }
        HttpConnection connection = ctx.request().connection();
        response.end(body).onComplete(written -> {
            if (close) {
                connection.close();
            }
        });
        metrics.answered(reason, startOf(ctx));
    }

    private static long startOf(RoutingContext ctx) {
        Long started = ctx.get(STARTED);
        return started == null ? System.nanoTime() : started;
    }

    private static void logMarked(AdmissionReviewHandler.Answer answer) {
        Decision decision = answer.decision().orElseThrow();
        if (!LOG.isInfoEnabled()) {
            return;
        }
        // Concatenation, not infof: no java.util.Formatter parse for every marked pod.
        LOG.info("marked pod for backup: namespace=" + answer.namespace() + " pod=" + answer.pod()
                + " statefulset=" + decision.statefulSet().orElse("") + " ordinal=" + decision.ordinal().orElse(-1)
                + " labels=" + decision.labelsToAdd() + " annotations=" + decision.annotationsToAdd().keySet());
    }

    private void failed(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof HttpClosedException || ctx.response().closed()) {
            clientClosed(failure);
            return;
        }
        int status = ctx.statusCode();
        if (status == 413) {
            badRequest(ctx, "request body exceeds the limit of " + maxBodyBytes + " bytes", true);
        } else if (status >= 400 && status < 500) {
            badRequest(ctx, "bad request", false);
        } else {
            LOG.error("unexpected failure on " + PATH + "; answering 400 so the API server fails open", failure);
            badRequest(ctx, "request could not be processed: " + (failure == null ? "unknown error" : failure.getClass().getSimpleName()), false);
        }
    }

    private static Buffer json(String message) {
        byte[] json;
        try {
            json = AdmissionJson.MAPPER.writeValueAsBytes(Map.of("error", BadAdmissionReview.oneLine(message)));
        } catch (JsonProcessingException e) {
            json = "{\"error\":\"bad request\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return Buffer.buffer(json);
    }

    static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json(message));
    }
}
