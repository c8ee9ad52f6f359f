package dev.firstordinal.admission;

import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
 *
 * <p>This class routes and decides; reading a body within those bounds is {@link ReviewBody}, writing an
 * answer (backpressure, metrics) is {@link AnswerWriter}.
 */
@ApplicationScoped
public class MutateRoute {

    public static final String PATH = "/mutate";
    private static final Logger LOG = Logger.getLogger(MutateRoute.class);


    private final AdmissionReviewHandler handler;
    private final StartOrdinalLookup starts;
    private final AdmissionMetrics metrics;
    /** What one request's body may cost: {@link ReviewBody} reads within them. */
    record BodyLimits(int maxBodyBytes, long bodyTimeoutNanos) {
    }

    private final BodyLimits limits;
    final BodyBudget budget;
    final AnswerWriter writer;
    /** Parses bodies over {@link BodyBudget#LARGE_BODY_BYTES}, one at a time; its queue is bounded by the budget. */
    final ExecutorService largeReviews = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "first-ordinal-large-reviews");
        thread.setDaemon(true);
        return thread;
    });

    MutateRoute(AdmissionReviewHandler handler, StartOrdinalLookup starts, AdmissionMetrics metrics, FirstOrdinalConfig config) {
        this.handler = handler;
        this.starts = starts;
        this.metrics = metrics;
        this.limits = new BodyLimits(config.admission().maxBodyBytes(), config.admission().bodyTimeout().toNanos());
        this.budget = new BodyBudget(config.admission().bodiesInFlightBytes());
        this.writer = new AnswerWriter(metrics, Math.max(1, config.admission().stalledWriteTimeout().toMillis()));
        metrics.budget(budget);
    }

    /** A parse in progress finishes (it is bounded); later large bodies get a 503 (ReviewBody). */
    @PreDestroy
    void stopLargeReviews() {
        largeReviews.shutdown();
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(MutateRoute::started);
        router.route(HttpMethod.POST, PATH)
                .handler(MutateRoute::exactly)
                .handler(this::mutate)
                .failureHandler(this::failed);
        router.route(PATH).handler(MutateRoute::exactly)
                .handler(ctx -> AnswerWriter.uncounted(ctx, 405, "use POST with an admission.k8s.io/v1 AdmissionReview body"));
        router.route().last().handler(MutateRoute::notFound);
    }

    /**
     * The router matches the normalised path ({@code /x/../mutate}, {@code /%6dutate}, {@code //mutate} and
     * {@code /mutate/} all match {@code /mutate}); the API server sends the path as configured, so anything but
     * {@code /mutate} itself is not the admission endpoint.
     */
    private static void exactly(RoutingContext ctx) {
        if (PATH.equals(ctx.request().path())) {
            ctx.next();
        } else {
            notFound(ctx);
        }
    }

    private static void notFound(RoutingContext ctx) {
        AnswerWriter.uncounted(ctx, 404, "not found: this server answers POST " + PATH + " only");
    }

    /**
     * Every request, first: the headers are here, so the connection's header deadline is met. Latency is
     * measured from here, before the body is read: the API server waits for all of it.
     */
    private static void started(RoutingContext ctx) {
        ctx.put(AnswerWriter.STARTED, System.nanoTime());
        ConnectionGuard.trackRequest(ctx);
        ctx.next();
    }

    private void mutate(RoutingContext ctx) {
        long declared = declaredLength(ctx.request());
        if (declared > limits.maxBodyBytes()) {
            // Not read at all: answered at once, and the connection closed (its body would follow).
            badRequest(ctx, "request body of " + declared + " bytes exceeds the limit of " + limits.maxBodyBytes() + " bytes", true);
            return;
        }
        new ReviewBody(this, limits, ctx, declared).read();
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

    void clientClosed(Throwable failure) {
        metrics.clientClosed();
        LOG.debugf("client closed or reset %s before its answer%s", PATH, failure == null ? "" : ": " + failure);
    }

    /** What reading a body gave: an answer, a review waiting for a start ordinal only a blocking call can give, or a 400. */
    sealed interface Parsed {
    }

    /** Answered: the start ordinal, if one was needed, was known without blocking. */
    record Answered(AdmissionReviewHandler.Answer answer) implements Parsed {
    }

    /**
     * Read, and not decided yet: {@code statefulSet}'s start ordinal is not in memory, or {@code stale} is in memory
     * but cannot be right for the pod (a start change or scale-up the cache has not seen) and must be read again.
     */
    record NeedsStart(AdmissionReviewReader.Request request, AdmissionReviewHandler.StatefulSetKey statefulSet,
                      Optional<StartOrdinalLookup.StartOrdinal> stale) implements Parsed {
    }

    /** Not a usable review. */
    record Bad(BadAdmissionReview error) implements Parsed {
    }

    /**
     * Reads the review and, when its start ordinal is known without blocking, decides. Each review is decided once,
     * with its start ordinal resolved first: here from memory, or in {@link #respond} on a worker.
     */
    Parsed parse(byte[] bytes) {
        try {
            AdmissionReviewReader.Request request = handler.read(bytes);
            Optional<AdmissionReviewHandler.StatefulSetKey> set = handler.statefulSetOf(request);
            if (set.isEmpty()) {
                return new Answered(handler.answer(request, StartOrdinalLookup.ZERO)); // asks for no start ordinal
            }
            Optional<StartOrdinalLookup.StartOrdinal> known = starts.withoutBlocking(set.get().namespace(), set.get().name());
            if (known.isEmpty()) {
                return new NeedsStart(request, set.get(), Optional.empty());
            }
            if (set.get().ruledOut(known.get())) {
                return new NeedsStart(request, set.get(), known);
            }
            return new Answered(handler.answer(request, only(set.get(), known.get())));
        } catch (BadAdmissionReview e) {
            return new Bad(e);
        }
    }

    /**
     * The start ordinal of {@code set}, on a worker: read again when the cached {@code stale} answer cannot be right
     * for the pod under review, else looked up (a cache miss: bounded, as {@link StartOrdinalLookup#startOrdinal} is).
     */
    static StartOrdinalLookup.StartOrdinal resolveBlocking(StartOrdinalLookup starts, AdmissionReviewHandler.StatefulSetKey set,
                                                           Optional<StartOrdinalLookup.StartOrdinal> stale) {
        return stale.map(cached -> starts.reread(set.namespace(), set.name(), cached))
                .orElseGet(() -> starts.startOrdinal(set.namespace(), set.name()));
    }

    /**
     * A lookup that knows one StatefulSet's start ordinal, already resolved: the one the decision asks for
     * ({@link AdmissionReviewHandler#statefulSetOf}). Any other is a bug: refused, not looked up on the event loop.
     */
    private static StartOrdinalLookup only(AdmissionReviewHandler.StatefulSetKey set, StartOrdinalLookup.StartOrdinal start) {
        return (namespace, name) -> {
            if (!set.sameSet(namespace, name)) {
                throw new IllegalStateException("the decision asked for the start ordinal of " + namespace + "/" + name
                        + ", not of " + set.namespace() + "/" + set.name());
            }
            return start;
        };
    }

    void respond(RoutingContext ctx, Parsed parsed) {
        if (parsed instanceof Bad bad) {
            LOG.debugf("400 for %s: %s", PATH, LogText.of(bad.error().getMessage()));
            badRequest(ctx, bad.error().getMessage(), false);
        } else if (parsed instanceof Answered answered) {
            respond(ctx, answered.answer());
        } else if (parsed instanceof NeedsStart needs) {
            AdmissionReviewHandler.StatefulSetKey set = needs.statefulSet();
            // The review is read once and decided once, on a worker, where the lookup may block.
            ctx.vertx().executeBlocking(() -> handler.answer(needs.request(), only(set, resolveBlocking(starts, set, needs.stale()))), false)
                    .onSuccess(blockingAnswer -> respond(ctx, blockingAnswer))
                    .onFailure(ctx::fail);
        }
    }

    private void respond(RoutingContext ctx, AdmissionReviewHandler.Answer answer) {
        // Wrapped, not copied: the answer array is never touched again.
        writer.send(ctx, 200, Buffer.buffer(Unpooled.wrappedBuffer(answer.body())), false, AdmissionMetrics.reasonFor(answer));
        if (answer.patched()) {
            logMarked(answer); // after the answer is on its way: the API server does not wait for the log
        }
    }

    void badRequest(RoutingContext ctx, String message, boolean close) {
        writer.error(ctx, 400, message, close, AdmissionMetrics.Reason.BAD_REQUEST);
    }

    private static void logMarked(AdmissionReviewHandler.Answer answer) {
        Decision decision = answer.decision().orElseThrow();
        if (!LOG.isInfoEnabled()) {
            return;
        }
        // Concatenation, not infof: no java.util.Formatter parse for every marked pod. The names come from the
        // request: escaped and bounded (LogText).
        LOG.info("marked pod for backup: namespace=" + LogText.of(answer.namespace()) + " pod=" + LogText.of(answer.pod())
                + " statefulset=" + LogText.of(decision.statefulSet().orElse("")) + " ordinal=" + decision.ordinal().orElse(-1)
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
            badRequest(ctx, "request body exceeds the limit of " + limits.maxBodyBytes() + " bytes", true);
        } else if (status >= 400 && status < 500) {
            badRequest(ctx, "bad request", false);
        } else {
            LOG.error("unexpected failure on " + PATH + "; answering 400 so the API server fails open", failure);
            badRequest(ctx, "request could not be processed: " + (failure == null ? "unknown error" : failure.getClass().getSimpleName()), false);
        }
    }
}
