package dev.firstordinal.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection cap of the TLS port ({@code first-ordinal.admission.max-connections}) and the
 * refusal of new connections once shutting down, with their meters. At the cap a new connection
 * evicts the oldest one that has not delivered a request's headers yet; only when there is none is
 * the new one refused. Thread-safe: connections of every event loop come here.
 */
final class ConnectionLimit {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);
    /** At most this many candidates are looked at per eviction (stale entries are skipped and dropped). */
    private static final int EVICTION_SCAN = 64;

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean refusing;
    private final Counter refusedAtLimit;
    private final Counter refusedShuttingDown;
    private final Counter evicted;
    /** Open connections that have not delivered a request's headers yet, oldest first. */
    private final ConcurrentLinkedDeque<ConnectionDeadline> awaitingFirstRequest = new ConcurrentLinkedDeque<>();

    ConnectionLimit(int maxConnections, MeterRegistry registry) {
        this.maxConnections = maxConnections;
        Gauge.builder(ConnectionGuard.CONNECTIONS, open, AtomicInteger::get)
                .description("Open connections on the TLS port").register(registry);
        Gauge.builder(ConnectionGuard.CONNECTIONS_MAX, () -> maxConnections)
                .description("first-ordinal.admission.max-connections: connections beyond it are closed at accept").register(registry);
        refusedAtLimit = Counter.builder(ConnectionGuard.REFUSED).tag("reason", "limit")
                .description("Connections closed at accept: at the connection limit, or shutting down").register(registry);
        refusedShuttingDown = Counter.builder(ConnectionGuard.REFUSED).tag("reason", "shutting-down")
                .description("Connections closed at accept: at the connection limit, or shutting down").register(registry);
        evicted = Counter.builder(ConnectionGuard.EVICTED)
                .description("Connections closed at the connection limit to make room for a new one, because they had not sent a request yet")
                .register(registry);
    }

    /** The cap on open connections. */
    int max() {
        return maxConnections;
    }

    /** From now on every new connection is refused. */
    void refuseNewConnections() {
        refusing = true;
    }

    /**
     * A connection was accepted: counts it and returns true, or returns false (counted as refused)
     * when it must be closed: shutting down, or at the cap with no connection to evict.
     */
    boolean admit(ConnectionDeadline connection) {
        if (refusing) {
            refusedShuttingDown.increment();
            return false;
        }
        if (open.incrementAndGet() > maxConnections && !evictOneFresh()) {
            open.decrementAndGet();
            refusedAtLimit.increment();
            LOG.debugf("connection from %s closed: %d connections open, the limit", connection.remoteAddress(), maxConnections);
            return false;
        }
        connection.counted = true;
        connection.fresh = true;
        awaitingFirstRequest.addLast(connection);
        return true;
    }

    /** The connection delivered a request's headers: it is no longer the first to go at the cap. */
    void requested(ConnectionDeadline connection) {
        if (connection.fresh) {
            connection.fresh = false;
            awaitingFirstRequest.remove(connection);
        }
    }

    /** The connection closed: no longer counted. */
    void closed(ConnectionDeadline connection) {
        requested(connection);
        if (connection.counted) {
            connection.counted = false;
            open.decrementAndGet();
        }
    }

    /** Closes the oldest connection that has sent no request yet; false when there is none. */
    private boolean evictOneFresh() {
        for (int i = 0; i < EVICTION_SCAN; i++) {
            ConnectionDeadline candidate = awaitingFirstRequest.pollFirst();
            if (candidate == null) {
                return false;
            }
            if (candidate.fresh && candidate.evict()) {
                evicted.increment();
                return true;
            }
        }
        return false;
    }
}
