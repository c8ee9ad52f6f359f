package dev.firstordinal.admission;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.jboss.logging.Logger;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One connection's handler, first in its pipeline and on its event loop: admits it to (or refuses
 * it by) the {@link ConnectionLimit}, and closes it when a request's headers do not arrive within
 * the header timeout: from accept for a new connection (TLS handshake included), from the next
 * request's first byte on a keep-alive one. {@link MutateRoute} reports the headers' arrival and
 * each answer through {@link ConnectionGuard}.
 */
final class ConnectionDeadline extends ChannelDuplexHandler {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

    private enum State { HEADERS, REQUEST, IDLE }

    private final ConnectionLimit limit;
    private final long headerTimeoutNanos;
    private final Counter headerTimeouts;
    volatile ChannelHandlerContext ctx;
    /** Counted and open, and no request's headers from it yet: the first to go at the connection limit. */
    volatile boolean fresh;
    /** Counted in the limit's open connections (by {@link ConnectionLimit} only). */
    boolean counted;
    private State state = State.HEADERS;
    private ScheduledFuture<?> timer;

    ConnectionDeadline(ConnectionLimit limit, long headerTimeoutNanos, Counter headerTimeouts) {
        this.limit = limit;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.headerTimeouts = headerTimeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!limit.admit(this)) {
            ctx.close();
            return;
        }
        arm();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        limit.closed(this);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (state == State.IDLE) {
            state = State.HEADERS;
            arm();
        }
        super.channelRead(ctx, msg);
    }

    /** The request's headers have arrived: the header deadline is met. */
    void requestStarted() {
        run(() -> {
            state = State.REQUEST;
            cancel();
            limit.requested(this);
        });
    }

    /** The request was answered: idle until the next request's first byte. */
    void requestEnded() {
        run(() -> {
            if (state == State.REQUEST) {
                state = State.IDLE;
            }
        });
    }

    /** Closes the socket now, below TLS, on the connection's event loop. */
    void closeNow() {
        run(() -> ctx.close());
    }

    boolean hasContext() {
        return ctx != null;
    }

    SocketAddress remoteAddress() {
        return ctx == null ? null : ctx.channel().remoteAddress();
    }

    /** Closes this connection to make room at the cap; false if it is gone already. */
    boolean evict() {
        if (ctx == null || !ctx.channel().isActive()) {
            return false;
        }
        fresh = false;
        LOG.debugf("connection from %s closed at the connection limit: no request from it yet", ctx.channel().remoteAddress());
        ctx.channel().close();
        return true;
    }

    private void run(Runnable action) {
        if (ctx == null) {
            return;
        }
        if (ctx.executor().inEventLoop()) {
            action.run();
        } else {
            ctx.executor().execute(action);
        }
    }

    private void arm() {
        cancel();
        timer = ctx.executor().schedule(this::expired, headerTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (state == State.HEADERS && ctx.channel().isActive()) {
            headerTimeouts.increment();
            LOG.debugf("connection from %s closed: no complete request headers within %d ms", ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
            ctx.close();
        }
    }
}
