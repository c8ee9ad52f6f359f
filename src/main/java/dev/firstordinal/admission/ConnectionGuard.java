package dev.firstordinal.admission;

import dev.firstordinal.config.FirstOrdinalConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.TCPServerBase;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guards the TLS port at the connection level, where Vert.x offers no setting:
 * <ul>
 *   <li>the connection cap ({@code first-ordinal.admission.max-connections}), applied at accept, before any TLS work.
 *       At the cap a new connection evicts the oldest one that has not yet delivered a single request's headers (a
 *       slow or silent client: the API server sends its request right after the handshake); only when there is none
 *       is the new connection refused. So slow connections cannot lock out a client that sends requests;</li>
 *   <li>the header deadline ({@code first-ordinal.admission.header-timeout}): a new connection must complete its TLS
 *       handshake and its first request's headers within it, and a keep-alive connection its next request's headers
 *       within it of that request's first byte; a connection that does not is closed;</li>
 *   <li>after the shutdown delay, new connections are refused (readiness went DOWN when the delay began).</li>
 * </ul>
 * It installs itself at the head of the HTTPS server channel's pipeline once the server listens, and adds a small
 * per-connection handler to every accepted channel. The body deadline and the write backpressure are per request,
 * in {@link MutateRoute}.
 */
@Singleton
public class ConnectionGuard {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);
    private static final AttributeKey<ConnectionDeadline> DEADLINE = AttributeKey.valueOf("first-ordinal.connection-deadline");

    public static final String CONNECTIONS = "first_ordinal.http.connections";
    public static final String CONNECTIONS_MAX = "first_ordinal.http.connections.max";
    public static final String REFUSED = "first_ordinal.http.connections.refused";
    public static final String HEADER_TIMEOUTS = "first_ordinal.http.header.timeouts";
    public static final String EVICTED = "first_ordinal.http.connections.evicted";
    /** At most this many candidates are looked at per eviction (stale entries are skipped and dropped). */
    private static final int EVICTION_SCAN = 64;

    private final int maxConnections;
    private final long headerTimeoutNanos;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean installed = new AtomicBoolean();
    private volatile boolean refusing;
    private final Counter refusedAtLimit;
    private final Counter refusedShuttingDown;
    private final Counter headerTimeouts;
    private final Counter evicted;
    /** Open connections that have not delivered a request's headers yet, oldest first. */
    private final java.util.concurrent.ConcurrentLinkedDeque<ConnectionDeadline> awaitingFirstRequest = new java.util.concurrent.ConcurrentLinkedDeque<>();

    ConnectionGuard(FirstOrdinalConfig config, MeterRegistry registry) {
        this.maxConnections = config.admission().maxConnections();
        this.headerTimeoutNanos = config.admission().headerTimeout().toNanos();
        Gauge.builder(CONNECTIONS, open, AtomicInteger::get)
                .description("Open connections on the TLS port").register(registry);
        Gauge.builder(CONNECTIONS_MAX, () -> maxConnections)
                .description("first-ordinal.admission.max-connections: connections beyond it are closed at accept").register(registry);
        refusedAtLimit = Counter.builder(REFUSED).tag("reason", "limit")
                .description("Connections closed at accept: at the connection limit, or shutting down").register(registry);
        refusedShuttingDown = Counter.builder(REFUSED).tag("reason", "shutting-down")
                .description("Connections closed at accept: at the connection limit, or shutting down").register(registry);
        headerTimeouts = Counter.builder(HEADER_TIMEOUTS)
                .description("Connections closed because a request's headers (or a new connection's handshake) did not arrive within the header timeout")
                .register(registry);
        evicted = Counter.builder(EVICTED)
                .description("Connections closed at the connection limit to make room for a new one, because they had not sent a request yet")
                .register(registry);
    }

    /** Closes the oldest connection that has sent no request yet; false when there is none. */
    private boolean evictOneFresh() {
        for (int i = 0; i < EVICTION_SCAN; i++) {
            ConnectionDeadline candidate = awaitingFirstRequest.pollFirst();
            if (candidate == null) {
                return false;
            }
            if (candidate.fresh && candidate.ctx != null && candidate.ctx.channel().isActive()) {
                candidate.fresh = false;
                evicted.increment();
                LOG.debugf("connection from %s closed at the connection limit: no request from it yet", candidate.ctx.channel().remoteAddress());
                candidate.ctx.channel().close();
                return true;
            }
        }
        return false;
    }

    /** Quarkus fires this (asynchronously) once the HTTPS server listens. */
    void serverStarted(@ObservesAsync HttpsServerStart start, Vertx vertx) {
        if (!installed.compareAndSet(false, true)) {
            return;
        }
        List<Channel> servers = httpsServerChannels(vertx);
        if (servers.isEmpty()) {
            // Not silently: without it there is no connection cap and no header deadline.
            LOG.error("cannot guard the HTTPS port: no listening TLS server channel found in Vert.x; "
                    + "no connection limit and no header timeout apply");
            return;
        }
        for (Channel server : servers) {
            server.pipeline().addFirst("first-ordinal-accept", new Acceptor());
        }
        LOG.debugf("connection guard on %s: at most %d connections, header timeout %d ms", servers, maxConnections,
                TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
    }

    /** When the shutdown delay (readiness DOWN, still serving) ends, new connections are refused: the endpoints have moved on. */
    void shutdownDelayStarted(@Observes ShutdownDelayInitiatedEvent event, Vertx vertx) {
        Duration delay = ConfigProvider.getConfig().getOptionalValue("quarkus.shutdown.delay", Duration.class).orElse(Duration.ZERO);
        if (delay.isZero()) {
            refusing = true;
        } else {
            vertx.setTimer(Math.max(1, delay.toMillis()), id -> refusing = true);
        }
    }

    /** The request's headers have arrived: its connection's header deadline is met. */
    static void requestStarted(HttpConnection connection) {
        ConnectionDeadline deadline = deadlineOf(connection);
        if (deadline != null) {
            deadline.requestStarted();
        }
    }

    /** The request was answered: the connection is idle until the next request's first byte. */
    static void requestEnded(HttpConnection connection) {
        ConnectionDeadline deadline = deadlineOf(connection);
        if (deadline != null) {
            deadline.requestEnded();
        }
    }

    /**
     * Closes the connection's socket now, below TLS: a plain close first flushes what is queued (and a
     * close_notify), which never completes for a client that does not read.
     */
    static void closeNow(HttpConnection connection) {
        ConnectionDeadline deadline = deadlineOf(connection);
        if (deadline != null && deadline.ctx != null) {
            deadline.run(() -> deadline.ctx.close());
        } else if (connection instanceof ConnectionBase base) {
            base.channel().close();
        } else {
            connection.close();
        }
    }

    boolean refusing() {
        return refusing;
    }

    int open() {
        return open.get();
    }

    private static ConnectionDeadline deadlineOf(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channel().attr(DEADLINE).get() : null;
    }

    /** The listening channels of Vert.x's TLS HTTP servers (the management port is plain HTTP and left alone). */
    private static List<Channel> httpsServerChannels(Vertx vertx) {
        List<Channel> channels = new ArrayList<>();
        try {
            Field options = TCPServerBase.class.getDeclaredField("options");
            Field bindFuture = TCPServerBase.class.getDeclaredField("bindFuture");
            options.setAccessible(true);
            bindFuture.setAccessible(true);
            for (HttpServerImpl server : ((VertxInternal) vertx).sharedHttpServers().values()) {
                if (((NetServerOptions) options.get(server)).isSsl()
                        && bindFuture.get(server) instanceof io.vertx.core.Future<?> bound
                        && bound.result() instanceof Channel channel) {
                    channels.add(channel);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.error("cannot find the HTTPS server channel (Vert.x internals changed?): " + e, e);
        }
        return channels;
    }

    /** On the server channel: sees each accepted channel before Vert.x initialises it. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                ConnectionDeadline deadline = new ConnectionDeadline();
                child.attr(DEADLINE).set(deadline);
                child.pipeline().addFirst("first-ordinal-deadline", deadline);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private enum State { HEADERS, REQUEST, IDLE }

    /** Per connection, on its event loop: counts it, refuses it, or closes it when headers are late. */
    private final class ConnectionDeadline extends ChannelDuplexHandler {
        private volatile ChannelHandlerContext ctx;
        /** Counted and open, and no request's headers from it yet: the first to go at the connection limit. */
        private volatile boolean fresh;
        private boolean counted;
        private State state = State.HEADERS;
        private ScheduledFuture<?> timer;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (refusing) {
                refusedShuttingDown.increment();
                ctx.close();
                return;
            }
            if (open.incrementAndGet() > maxConnections && !evictOneFresh()) {
                open.decrementAndGet();
                refusedAtLimit.increment();
                LOG.debugf("connection from %s closed: %d connections open, the limit", ctx.channel().remoteAddress(), maxConnections);
                ctx.close();
                return;
            }
            counted = true;
            fresh = true;
            awaitingFirstRequest.addLast(this);
            arm();
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancel();
            if (fresh) {
                fresh = false;
                awaitingFirstRequest.remove(this);
            }
            if (counted) {
                counted = false;
                open.decrementAndGet();
            }
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

        void requestStarted() {
            run(() -> {
                state = State.REQUEST;
                cancel();
                if (fresh) {
                    fresh = false;
                    awaitingFirstRequest.remove(this);
                }
            });
        }

        void requestEnded() {
            run(() -> {
                if (state == State.REQUEST) {
                    state = State.IDLE;
                }
            });
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
}
