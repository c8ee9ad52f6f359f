package dev.firstordinal.admission;

import dev.firstordinal.certs.serving.TlsEngineSelection;
import dev.firstordinal.config.FirstOrdinalConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.quarkus.vertx.http.HttpsServerStart;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Guards the TLS port and the management port at the connection level, where Vert.x offers no setting, through public
 * API only:
 * <ul>
 *   <li>the connection cap ({@code first-ordinal.admission.max-connections}; {@code management-max-connections}),
 *       applied at accept, before any TLS work. At the cap a new connection evicts the one that has gone the longest
 *       without a request in progress (idle since its last answer, or silent since it was opened), sparing those
 *       opened in the last second; only when every connection is in a request is the new one refused. So neither
 *       slow nor idle connections can lock out a client that sends requests ({@link ConnectionLimit});</li>
 *   <li>the rate of new connections per source address ({@link SourceRate}), at accept;</li>
 *   <li>the header deadline ({@code first-ordinal.admission.header-timeout}): a new connection must complete its TLS
 *       handshake and its first request's headers within it, and a keep-alive connection its next request's headers
 *       within it of that request's first byte (on the management port: within the idle timeout of its last answer),
 *       and within the idle timeout of its last answer; a connection that does not is closed;</li>
 *   <li>after the shutdown delay, new connections to the TLS port are refused (readiness went DOWN when the delay began).</li>
 * </ul>
 * On the TLS port it is part of the server's TLS engine ({@link GuardedSslEngineOptions}, set through Quarkus'
 * {@link HttpServerOptionsCustomizer}): as Vert.x accepts a connection and adds its TLS handler, the guard refuses it or
 * puts a {@link ConnectionDeadline} ahead of TLS. The management port is the project's own server
 * ({@link ManagementServer}) in front of Quarkus' management router, with a {@link ManagementConnection} per connection.
 * Both are in place before their port accepts a connection. The body deadline and the write backpressure are per
 * request, in {@link MutateRoute}.
 */
@Singleton
public class ConnectionGuard implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

    public static final String CONNECTIONS = "first_ordinal.http.connections";
    public static final String MANAGEMENT_CONNECTIONS = "first_ordinal.http.management.connections";
    public static final String CONNECTIONS_MAX = "first_ordinal.http.connections.max";
    public static final String REFUSED = "first_ordinal.http.connections.refused";
    public static final String HEADER_TIMEOUTS = "first_ordinal.http.header.timeouts";
    public static final String EVICTED = "first_ordinal.http.connections.evicted";

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int sourceRatePerSecond;
    private final int managementPort;
    private volatile boolean tlsEngineGuarded;
    private volatile boolean tlsGuarded;
    private volatile int managementListening = -1;
    private final ConnectionLimit limit;
    private final ConnectionLimit managementLimit;
    private final Counter headerTimeouts;
    private final TlsEngineSelection engines;

    ConnectionGuard(FirstOrdinalConfig config, MeterRegistry registry, TlsEngineSelection engines) {
        this.engines = engines;
        this.headerTimeoutNanos = config.admission().headerTimeout().toNanos();
        this.idleTimeoutNanos = ConfigProvider.getConfig().getOptionalValue("quarkus.http.idle-timeout", Duration.class)
                .orElse(Duration.ofSeconds(30)).toNanos();
        this.sourceRatePerSecond = config.admission().sourceConnectionRate();
        this.managementPort = config.admission().managementPort();
        this.limit = new ConnectionLimit(config.admission().maxConnections(), new SourceRate(sourceRatePerSecond, System::nanoTime), registry);
        // Its own allowance per source: the kubelet and Prometheus are not the API server.
        this.managementLimit = new ConnectionLimit(config.admission().managementMaxConnections(), new SourceRate(sourceRatePerSecond, System::nanoTime),
                MANAGEMENT_CONNECTIONS, registry);
        headerTimeouts = Counter.builder(HEADER_TIMEOUTS)
                .description("Connections closed because a request's headers (or a new connection's handshake) did not arrive within the header timeout")
                .register(registry);
    }

    /**
     * The HTTPS server's TLS engine, wrapped so that each connection it accepts meets {@link #acceptedTls} as its TLS
     * handler is added, before any TLS work (Vert.x's public {@code SSLEngineOptions} SPI): the guard is part of the
     * server before it listens.
     */
    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setSslEngineOptions(new GuardedSslEngineOptions(engines.engineOptions(), this::acceptedTls));
        tlsEngineGuarded = true;
    }

    /**
     * Quarkus fires this once the HTTPS server listens: if it was built with the guarded engine, the guard is in force
     * there (and was from its first connection on).
     */
    void httpsStarted(@ObservesAsync HttpsServerStart start) {
        if (!tlsEngineGuarded) {
            // Not silently: without it there is no connection cap and no header deadline.
            LOG.error("cannot guard the HTTPS port: its server was built without the connection guard's TLS engine; "
                    + "no connection limit and no header timeout apply");
            return;
        }
        tlsGuarded = true;
        LOG.infof("connection guard in force on the TLS port: at most %d connections (%d new a second per source); "
                        + "header timeout %d ms, idle timeout %d ms", limit.max(), sourceRatePerSecond,
                TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos), TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos));
    }

    /** A connection to the TLS port, just accepted: refused (rate, shutting down), or guarded by its deadline ahead of TLS. */
    private void acceptedTls(ChannelPipeline pipeline, String tlsHandlerName) {
        if (!limit.acceptable(pipeline.channel().remoteAddress())) {
            pipeline.addBefore(tlsHandlerName, "first-ordinal-refused", Refusal.INSTANCE);
            return;
        }
        pipeline.addBefore(tlsHandlerName, "first-ordinal-deadline",
                new ConnectionDeadline(limit, headerTimeoutNanos, idleTimeoutNanos, headerTimeouts));
    }

    /**
     * Quarkus' management router is ready: its requests report their headers and answers (as {@code /mutate}'s do,
     * {@link MutateRoute}), and the guarded management server opens the management port in front of it.
     */
    void managementRoutes(@Observes ManagementInterface management, Vertx vertx) {
        management.router().route().order(Integer.MIN_VALUE).handler(ctx -> {
            // Null on Quarkus' own (loopback) management server, which is not guarded.
            ManagementConnection guarded = ManagementConnection.of(ctx.request().connection());
            if (guarded != null) {
                guarded.requestStarted();
                ctx.addEndHandler(done -> guarded.requestEnded());
            }
            ctx.next();
        });
        managementListening = ManagementServer.listen(vertx, management.router(), managementPort, managementLimit,
                Duration.ofNanos(headerTimeoutNanos), Duration.ofNanos(idleTimeoutNanos));
        LOG.infof("connection guard in force on the management port %d: at most %d connections (%d new a second per source); "
                        + "header timeout %d ms, idle timeout %d ms", managementListening, managementLimit.max(), sourceRatePerSecond,
                TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos), TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos));
    }

    /** The port the guarded management server listens on; -1 before it does. */
    public int managementPort() {
        return managementListening;
    }

    /** Whether the limits are in force on the TLS port and on the management port: readiness waits for both. */
    boolean inForce() {
        return tlsGuarded && managementListening > 0;
    }

    /** The limits, for the readiness check's data. */
    String describe() {
        return "max-connections " + limit.max() + ", management " + managementLimit.max() + ", header timeout "
                + TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos) + " ms, idle timeout " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) + " ms";
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

    /**
     * A request to the TLS port whose headers have arrived: its connection's header deadline is met, and when it is
     * answered the connection is idle until the next request's first byte. One lookup of the connection per request.
     */
    static void trackRequest(RoutingContext ctx) {
        ConnectionDeadline deadline = deadlineOf(ctx.request().connection());
        if (deadline != null) {
            deadline.requestStarted();
            ctx.addEndHandler(done -> deadline.requestEnded());
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
        } else {
            connection.close();
        }
    }

    /** Stops reading from the connection's socket; false when it is not guarded (nothing done). */
    static boolean pauseReading(HttpConnection connection) {
        ConnectionDeadline deadline = deadlineOf(connection);
        if (deadline == null) {
            return false;
        }
        deadline.pauseReading();
        return true;
    }

    /** Reads from the connection's socket again, after {@link #pauseReading}. */
    static void resumeReading(HttpConnection connection) {
        ConnectionDeadline deadline = deadlineOf(connection);
        if (deadline != null) {
            deadline.resumeReading();
        }
    }

    private static ConnectionDeadline deadlineOf(HttpConnection connection) {
        io.vertx.core.net.SocketAddress remote = connection.remoteAddress();
        io.vertx.core.net.SocketAddress local = connection.localAddress();
        if (remote == null || local == null || remote.hostAddress() == null) {
            return null;
        }
        return ConnectionDeadline.of(new ConnectionDeadline.Key(remote.hostAddress(), remote.port(), local.port()));
    }

    /** Closes a connection refused at accept as soon as it is active, below TLS: no handshake is read. */
    @ChannelHandler.Sharable
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        static final Refusal INSTANCE = new Refusal();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
