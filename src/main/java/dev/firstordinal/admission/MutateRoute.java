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
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * The HTTP edge: {@code POST /mutate} on the TLS port. Decodes the body, calls the
 * {@link AdmissionReviewHandler}, encodes. Runs on the event loop: the work is a few microseconds
 * of CPU and makes no blocking call, as long as the pod's StatefulSet is in the cache. When it is
 * not, the request is answered again on a worker thread, where the lookup may GET the StatefulSet.
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

    MutateRoute(AdmissionReviewHandler handler, StartOrdinalLookup starts, AdmissionMetrics metrics, FirstOrdinalConfig config) {
        this.handler = handler;
        this.starts = starts;
        this.metrics = metrics;
        this.maxBodyBytes = config.admission().maxBodyBytes();
    }

    void register(@Observes Router router) {
        router.route(HttpMethod.POST, PATH).handler(MutateRoute::started);
        router.route(HttpMethod.POST, PATH)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::mutate)
                .failureHandler(this::failed);
        router.route(PATH).handler(ctx -> error(ctx, 405, "use POST with an admission.k8s.io/v1 AdmissionReview body"));
    }

    /** Latency is measured from here, before the body is read: the API server waits for all of it. */
    private static void started(RoutingContext ctx) {
        ctx.put(STARTED, System.nanoTime());
        ctx.next();
    }

    private void mutate(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        CacheOnlyLookup cacheOnly = new CacheOnlyLookup(starts);
        AdmissionReviewReader.Request request;
        AdmissionReviewHandler.Answer answer;
        try {
            request = handler.read(bytes);
            answer = handler.answer(request, cacheOnly);
        } catch (BadAdmissionReview e) {
            LOG.debugf("400 for %s: %s", PATH, e.getMessage());
            badRequest(ctx, 400, e.getMessage());
            return;
        }
        if (!cacheOnly.missed()) {
            respond(ctx, answer);
            return;
        }
        // The review is read once; only the decision is made again, where the lookup may block.
        ctx.vertx().executeBlocking(() -> handler.answer(request, starts), false)
                .onSuccess(blockingAnswer -> respond(ctx, blockingAnswer))
                .onFailure(ctx::fail);
    }

    private void respond(RoutingContext ctx, AdmissionReviewHandler.Answer answer) {
        // Wrapped, not copied: the answer array is never touched again.
        ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(Unpooled.wrappedBuffer(answer.body())));
        metrics.answered(AdmissionMetrics.reasonFor(answer), startOf(ctx));
        if (answer.patched()) {
            logMarked(answer); // after the answer is on its way: the API server does not wait for the log
        }
    }

    private void badRequest(RoutingContext ctx, int status, String message) {
        boolean notYetAnswered = !ctx.response().ended();
        error(ctx, status, message);
        if (notYetAnswered) {
            metrics.answered(AdmissionMetrics.Reason.BAD_REQUEST, startOf(ctx));
        }
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
        int status = ctx.statusCode();
        if (status == 413) {
            badRequest(ctx, 400, "request body exceeds the limit of " + maxBodyBytes + " bytes");
        } else if (status >= 400 && status < 500) {
            badRequest(ctx, status, "bad request");
        } else {
            LOG.error("unexpected failure on " + PATH + "; answering 400 so the API server fails open", ctx.failure());
            badRequest(ctx, 400, "request could not be processed: " + (ctx.failure() == null ? "unknown error" : ctx.failure().getClass().getSimpleName()));
        }
    }

    static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        byte[] json;
        try {
            json = AdmissionJson.MAPPER.writeValueAsBytes(Map.of("error", BadAdmissionReview.oneLine(message)));
        } catch (JsonProcessingException e) {
            json = "{\"error\":\"bad request\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(Buffer.buffer(json));
    }
}
