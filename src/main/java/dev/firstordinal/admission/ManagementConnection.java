package dev.firstordinal.admission;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection to the management port, on its server's event loop (public Vert.x API only): counted in the port's
 * {@link ConnectionLimit} while open, and closed when its first request's headers do not arrive within the header
 * timeout of accept, or its next request's headers within the idle timeout of its last answer (bytes trickled
 * meanwhile do not extend either).
 */
final class ManagementConnection implements ConnectionLimit.Member {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

    /** The open ones, for the management routes to report requests by their {@code HttpConnection}. */
    private static final Map<HttpConnection, ManagementConnection> OPEN = new ConcurrentHashMap<>();

    private final HttpConnection connection;
    private final Vertx vertx;
    private final long idleTimeoutMillis;
    private volatile long evictableSince = System.nanoTime();
    private volatile boolean served;
    private long timer = -1;

    private ManagementConnection(HttpConnection connection, Vertx vertx, long idleTimeoutMillis) {
        this.connection = connection;
        this.vertx = vertx;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /**
     * A connection the management server has just accepted (with HTTP/2 in clear text off, Vert.x hands it over at
     * accept): refused when past its source's rate or the cap, else counted and given its header deadline.
     */
    static void accepted(HttpConnection connection, Vertx vertx, ConnectionLimit limit, long headerTimeoutMillis, long idleTimeoutMillis) {
        if (!limit.acceptable(SourceAddresses.of(connection.remoteAddress()))) {
            connection.close();
            return;
        }
        ManagementConnection guarded = new ManagementConnection(connection, vertx, idleTimeoutMillis);
        if (!limit.admit(guarded)) {
            connection.close();
            return;
        }
        OPEN.put(connection, guarded);
        connection.closeHandler(closed -> {
            guarded.cancel();
            OPEN.remove(connection);
            limit.closed(guarded);
        });
        guarded.arm(headerTimeoutMillis);
    }

    /** The guarded connection of a request to the management router; null for Quarkus' own (loopback) server's. */
    static ManagementConnection of(HttpConnection connection) {
        return OPEN.get(connection);
    }

    /** The request's headers have arrived: the deadline is met. */
    void requestStarted() {
        served = true;
        evictableSince = ConnectionLimit.IN_REQUEST;
        cancel();
    }

    /** The request was answered: the next one's headers must come within the idle timeout. */
    void requestEnded() {
        evictableSince = System.nanoTime();
        arm(idleTimeoutMillis);
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
    public boolean evict() {
        LOG.debugf("management connection from %s closed at the connection limit", connection.remoteAddress());
        connection.close();
        return true;
    }

    @Override
    public Object remoteAddress() {
        return connection.remoteAddress();
    }

    private void arm(long millis) {
        cancel();
        timer = vertx.setTimer(Math.max(1, millis), id -> {
            timer = -1;
            if (evictableSince != ConnectionLimit.IN_REQUEST) {
                LOG.debugf("management connection from %s closed: no complete request headers within %d ms", connection.remoteAddress(), millis);
                connection.close();
            }
        });
    }

    private void cancel() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
