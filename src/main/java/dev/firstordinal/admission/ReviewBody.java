package dev.firstordinal.admission;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;

/**
 * One {@code /mutate} request's body, on the connection's event loop: its declared size reserved in the
 * {@link BodyBudget} first (429 when it does not fit), read into one array (a chunked body grows it,
 * reserving the growth first), at most {@code max-body-bytes} (400) and within the body timeout (408),
 * then handed to {@link MutateRoute} to answer: at once, or for a body over
 * {@link BodyBudget#LARGE_BODY_BYTES} on the single large-review thread. Once answered, the reservation
 * becomes the answer's size, held until the answer is written (an answer to a client that does not read
 * stays in memory); it is released then, or when the client goes away.
 */
final class ReviewBody {

    private static final Logger LOG = Logger.getLogger(MutateRoute.class);

    private final MutateRoute route;
    private final MutateRoute.BodyLimits limits;
    private final BodyBudget budget;
    private final RoutingContext ctx;
    private final long declared;
    private static final byte[] EMPTY = new byte[0];

    private byte[] bytes = EMPTY;
    private int length;
    private long reserved;
    private boolean finished;
    private boolean parsing;
    private long timer = -1;

    ReviewBody(MutateRoute route, MutateRoute.BodyLimits limits, RoutingContext ctx, long declared) {
        this.route = route;
        this.limits = limits;
        this.budget = route.budget;
        this.ctx = ctx;
        this.declared = declared;
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
                route.clientClosed(null);
            }
            if (!parsing) {
                releaseWhenWritten();
            }
        });
        long left = limits.bodyTimeoutNanos() - (System.nanoTime() - AnswerWriter.startOf(ctx));
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
        if ((long) length + size > limits.maxBodyBytes()) {
            stop();
            route.badRequest(ctx, "request body exceeds the limit of " + limits.maxBodyBytes() + " bytes", true);
            return;
        }
        if (length + size > bytes.length) {
            // Chunked (or longer than declared): grow, reserving the growth first.
            int capacity = (int) Math.min(limits.maxBodyBytes(), Math.max((long) length + size, Math.max(16_384L, bytes.length * 2L)));
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
            route.respond(ctx, route.parse(body));
            releaseWhenWritten();
            return;
        }
        parsing = true;
        // Only a large body leaves the event loop; the answer must come back to it (this one: end() runs on it).
        Context context = ctx.vertx().getOrCreateContext();
        try {
            route.largeReviews.execute(() -> {
                MutateRoute.Parsed parsed = route.parse(body);
                context.runOnContext(v -> {
                    parsing = false;
                    route.respond(ctx, parsed);
                    releaseWhenWritten();
                });
            });
        } catch (RejectedExecutionException shuttingDown) {
            parsing = false;
            release();
            AnswerWriter.uncounted(ctx, 503, "shutting down");
        }
    }

    private void stop() {
        finished = true;
        if (timer >= 0) {
            ctx.vertx().cancelTimer(timer);
            timer = -1;
        }
    }

    /**
     * Once the response has ended, the reservation becomes the answer's size until it is written; while no answer is
     * on its way (a decision on a worker, an answer waiting for a client that does not read), the body's stays.
     */
    private void releaseWhenWritten() {
        if (reserved == 0 || !(ctx.response().ended() || ctx.response().closed())) {
            return;
        }
        AnswerWriter.Written written = ctx.get(AnswerWriter.WRITTEN);
        if (written == null || ctx.response().closed()) {
            release();
            return;
        }
        if (written.bytes() > reserved) {
            budget.add(written.bytes() - reserved);
        } else {
            budget.release(reserved - written.bytes());
        }
        reserved = written.bytes();
        written.done().onComplete(done -> release());
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
        LOG.debugf("429 for %s: %s", MutateRoute.PATH, message);
        route.writer.error(ctx, 429, message, true, AdmissionMetrics.Reason.OVERLOADED);
        release();
    }

    private void tooSlow() {
        timer = -1;
        if (finished) {
            return;
        }
        finished = true;
        String message = "request body did not arrive within " + limits.bodyTimeoutNanos() / 1_000_000 + " ms ("
                + length + " of " + (declared >= 0 ? declared + " bytes" : "a chunked body") + ")";
        LOG.debugf("408 for %s: %s", MutateRoute.PATH, message);
        route.writer.error(ctx, 408, message, true, AdmissionMetrics.Reason.BODY_TIMEOUT);
        release();
    }

    private void failedWhileReading(Throwable failure) {
        if (finished) {
            return;
        }
        stop();
        route.clientClosed(failure);
        release();
    }
}
