package dev.firstordinal.admission;

import dev.firstordinal.config.FirstOrdinalConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * It installs itself at the head of the HTTPS server channel's pipeline once the server listens (found by
 * {@link HttpsServerChannels}), and adds a {@link ConnectionDeadline} to every accepted channel; the cap and its
 * meters are {@link ConnectionLimit}. The body deadline and the write backpressure are per request, in
 * {@link MutateRoute}.
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

    private final long headerTimeoutNanos;
    private final AtomicBoolean installed = new AtomicBoolean();
    private final ConnectionLimit limit;
    private final Counter headerTimeouts;

    ConnectionGuard(FirstOrdinalConfig config, MeterRegistry registry) {
        this.headerTimeoutNanos = config.admission().headerTimeout().toNanos();
        this.limit = new ConnectionLimit(config.admission().maxConnections(), registry);
        headerTimeouts = Counter.builder(HEADER_TIMEOUTS)
                .description("Connections closed because a request's headers (or a new connection's handshake) did not arrive within the header timeout")
                .register(registry);
    }

    /** Quarkus fires this (asynchronously) once the HTTPS server listens. */
    void serverStarted(@ObservesAsync HttpsServerStart start, Vertx vertx) {
        if (!installed.compareAndSet(false, true)) {
            return;
        }
        List<Channel> servers = HttpsServerChannels.of(vertx);
        if (servers.isEmpty()) {
            // Not silently: without it there is no connection cap and no header deadline.
            LOG.error("cannot guard the HTTPS port: no listening TLS server channel found in Vert.x; "
                    + "no connection limit and no header timeout apply");
            return;
        }
        for (Channel server : servers) {
            server.pipeline().addFirst("first-ordinal-accept", new Acceptor());
        }
        LOG.debugf("connection guard on %s: at most %d connections, header timeout %d ms", servers, limit.max(),
                TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
    }

    /** When the shutdown delay (readiness DOWN, still serving) ends, new connections are refused: the endpoints have moved on. */
    void shutdownDelayStarted(@Observes ShutdownDelayInitiatedEvent event, Vertx vertx) {
        Duration delay = ConfigProvider.getConfig().getOptionalValue("quarkus.shutdown.delay", Duration.class).orElse(Duration.ZERO);
        if (delay.isZero()) {
            limit.refuseNewConnections();
        } else {
            vertx.setTimer(Math.max(1, delay.toMillis()), id -> limit.refuseNewConnections());
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
        if (deadline != null && deadline.hasContext()) {
            deadline.closeNow();
        } else if (connection instanceof ConnectionBase base) {
            base.channel().close();
        } else {
            connection.close();
        }
    }

    private static ConnectionDeadline deadlineOf(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channel().attr(DEADLINE).get() : null;
    }

    /** On the server channel: sees each accepted channel before Vert.x initialises it. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                ConnectionDeadline deadline = new ConnectionDeadline(limit, headerTimeoutNanos, headerTimeouts);
                child.attr(DEADLINE).set(deadline);
                child.pipeline().addFirst("first-ordinal-deadline", deadline);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
