package dev.firstordinal.admission;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One connection's handler, first in its pipeline and on its event loop: admits it to (or refuses
 * it by) the {@link ConnectionLimit}, and closes it when a request's headers do not arrive within
 * the header timeout: from accept for a new connection (TLS handshake included), from the next
 * request's first byte on a keep-alive one; and in any case within the idle timeout of the last
 * answer (bytes trickled meanwhile, or read together with the previous request, do not extend it).
 * {@link MutateRoute} reports the headers' arrival and each answer through {@link ConnectionGuard}.
 */
final class ConnectionDeadline extends ChannelDuplexHandler implements ConnectionLimit.Member {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

    private enum State { HEADERS, REQUEST, IDLE }

    /**
     * The open connections by their addresses, so that a request's {@code HttpConnection} (public Vert.x API) finds its
     * channel's deadline without Vert.x's internal connection class. A TCP connection is one remote address and port to
     * one local port.
     */
    private static final Map<Key, ConnectionDeadline> OPEN = new ConcurrentHashMap<>();

    record Key(String remoteHost, int remotePort, int localPort) {
    }

    /** The deadline of the open connection with these addresses; null when it is not guarded (or gone). */
    static ConnectionDeadline of(Key key) {
        return OPEN.get(key);
    }

    private Key key;

    private final ConnectionLimit limit;
    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final Counter headerTimeouts;
    volatile ChannelHandlerContext ctx;
    private volatile long evictableSince = System.nanoTime();
    private volatile boolean served;
    private State state = State.HEADERS;
    private ScheduledFuture<?> timer;

    ConnectionDeadline(ConnectionLimit limit, long headerTimeoutNanos, long idleTimeoutNanos, Counter headerTimeouts) {
        this.limit = limit;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeouts = headerTimeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        evictableSince = System.nanoTime();
        if (!limit.admit(this)) {
            ctx.close();
            return;
        }
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
                && ctx.channel().localAddress() instanceof InetSocketAddress local) {
            key = new Key(remote.getAddress().getHostAddress(), remote.getPort(), local.getPort());
            OPEN.put(key, this);
        }
        // On the channel's close, not on channelInactive: that reaches this handler only while it is in the pipeline,
        // and a protocol change may take it out (Vert.x's h2c upgrade removes every handler but its HTTP/2 one).
        ctx.channel().closeFuture().addListener((ChannelFutureListener) closed -> released());
        arm(headerTimeoutNanos);
        InvalidRequestAnswers.installWhenReady(ctx.pipeline());
        super.channelActive(ctx);
    }

    /** The channel closed: its slot in the cap is free, its deadline void. On its event loop. */
    private void released() {
        cancel();
        if (key != null) {
            OPEN.remove(key, this);
        }
        limit.closed(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (state == State.IDLE) {
            state = State.HEADERS;
            arm(headerTimeoutNanos);
        }
        super.channelRead(ctx, msg);
    }

    /** The request's headers have arrived: the header deadline is met. */
    void requestStarted() {
        run(() -> {
            state = State.REQUEST;
            served = true;
            evictableSince = ConnectionLimit.IN_REQUEST;
            cancel();
        });
    }

    /** The request was answered: idle until the next request's first byte. */
    void requestEnded() {
        run(() -> {
            if (state == State.REQUEST) {
                state = State.IDLE;
                evictableSince = System.nanoTime();
                // Not reset by bytes that trickle in: the next request's headers must come within it.
                arm(idleTimeoutNanos);
            }
        });
    }

    /** Stops reading from the socket (an answer waits for the client to read the earlier ones). */
    void pauseReading() {
        run(() -> ctx.channel().config().setAutoRead(false));
    }

    /** Reads from the socket again. */
    void resumeReading() {
        run(() -> {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        });
    }

    /** Closes the socket now, below TLS, on the connection's event loop. */
    void closeNow() {
        run(() -> ctx.close());
    }

    boolean hasContext() {
        return ctx != null;
    }

    @Override
    public long evictableSince() {
        return evictableSince;
    }

    @Override
    public boolean served() {
        return served;
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx == null ? null : ctx.channel().remoteAddress();
    }

    @Override
    public boolean evict() {
        if (ctx == null || !ctx.channel().isActive()) {
            return false;
        }
        LOG.debugf("connection from %s closed at the connection limit: %s", ctx.channel().remoteAddress(),
                served ? "the longest idle" : "no request from it yet");
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

    private void arm(long nanos) {
        cancel();
        timer = ctx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (state == State.REQUEST || !ctx.channel().isActive()) {
            return;
        }
        if (state == State.HEADERS && headerTimeouts != null) {
            headerTimeouts.increment();
        }
        LOG.debugf("connection from %s closed: no complete request headers within %d ms", ctx.channel().remoteAddress(),
                TimeUnit.NANOSECONDS.toMillis(state == State.HEADERS ? headerTimeoutNanos : idleTimeoutNanos));
        ctx.close();
    }
}
