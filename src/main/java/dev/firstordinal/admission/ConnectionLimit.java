package dev.firstordinal.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection cap of one port and the refusal of new connections once shutting down, with their
 * meters. At the cap a new connection evicts the one that has gone the longest without a request in
 * progress: idle since its last answer (a keep-alive connection, whoever holds it), or since it was
 * opened without delivering a request's headers (a slow or silent client). Connections opened less than
 * {@link #GRACE_NANOS} ago that have not sent a request yet go last: a client that is still in its TLS
 * handshake is not pushed out by whoever opens connections faster. Only when every open connection is
 * in a request is the new one refused. Thread-safe: connections of every event loop come here.
 */
final class ConnectionLimit {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);
    /** How long a new connection that has not sent a request yet is evicted only when nothing else can be. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int maxConnections;
    private final long graceNanos;
    private final AtomicInteger open = new AtomicInteger();
    /** Those that may be evicted. */
    private final Set<Member> connections = ConcurrentHashMap.newKeySet();
    /** Those counted in {@link #open}, until they close. */
    private final Set<Member> counted = ConcurrentHashMap.newKeySet();
    private final SourceRate sourceRate;
    private volatile boolean refusing;
    private final Counter refusedAtLimit;
    private final Counter refusedShuttingDown;
    private final Counter refusedRate;
    private final Counter evicted;

    /** {@link Member#evictableSince} while a request is in progress: not to be evicted. */
    static final long IN_REQUEST = Long.MIN_VALUE;

    /** An open connection, as the cap sees it. */
    interface Member {
        /** Since when ({@link System#nanoTime()}) it has been without a request in progress, or {@link #IN_REQUEST}. */
        long evictableSince();

        /** It has delivered a request's headers: at the limit it goes after those that never did. */
        boolean served();

        /** Closes it to make room at the cap; false if it is gone already. */
        boolean evict();

        /** Its peer, for the log. */
        Object remoteAddress();
    }

    /** The TLS port's limit, with its meters ({@code first_ordinal_http_connections*}). */
    ConnectionLimit(int maxConnections, SourceRate sourceRate, MeterRegistry registry) {
        this(maxConnections, sourceRate, registry, GRACE_NANOS);
    }

    /** As above, with another grace for new connections (tests). */
    ConnectionLimit(int maxConnections, SourceRate sourceRate, MeterRegistry registry, long graceNanos) {
        this.maxConnections = maxConnections;
        this.graceNanos = graceNanos;
        this.sourceRate = sourceRate;
        Gauge.builder(ConnectionGuard.CONNECTIONS, open, AtomicInteger::get)
                .description("Open connections on the TLS port").register(registry);
        Gauge.builder(ConnectionGuard.CONNECTIONS_MAX, () -> maxConnections)
                .description("first-ordinal.admission.max-connections: connections beyond it are closed at accept").register(registry);
        String refused = "Connections closed at accept: at the connection limit, shutting down, or past their source's rate";
        refusedAtLimit = Counter.builder(ConnectionGuard.REFUSED).tag("reason", "limit").description(refused).register(registry);
        refusedShuttingDown = Counter.builder(ConnectionGuard.REFUSED).tag("reason", "shutting-down").description(refused).register(registry);
        refusedRate = Counter.builder(ConnectionGuard.REFUSED).tag("reason", "rate").description(refused).register(registry);
        evicted = Counter.builder(ConnectionGuard.EVICTED)
                .description("Connections closed at the connection limit to make room for a new one: the oldest without a request yet, else the longest idle")
                .register(registry);
    }

    /**
     * The management port's limit: only its open connections are metered ({@code first_ordinal_http_management_connections});
     * the port serves the probes and the meters themselves.
     */
    ConnectionLimit(int maxConnections, SourceRate sourceRate, String openGauge, MeterRegistry registry) {
        this.maxConnections = maxConnections;
        this.graceNanos = GRACE_NANOS;
        this.sourceRate = sourceRate;
        Gauge.builder(openGauge, open, AtomicInteger::get)
                .description("Open connections on the management port").register(registry);
        refusedAtLimit = refusedShuttingDown = refusedRate = evicted = null;
    }

    /** The cap on open connections. */
    int max() {
        return maxConnections;
    }

    /** Open connections now. */
    int open() {
        return open.get();
    }

    /** From now on every new connection is refused. */
    void refuseNewConnections() {
        refusing = true;
    }

    /**
     * A connection from {@code source} was just accepted, before anything else is done with it (no TLS engine yet):
     * false (counted as refused) when it must be closed at once: shutting down, or past its source's rate.
     */
    boolean acceptable(SocketAddress source) {
        if (refusing) {
            count(refusedShuttingDown);
            return false;
        }
        if (!sourceRate.tryAcquire(source)) {
            count(refusedRate);
            LOG.debugf("connection from %s closed: past its source's rate of new connections", source);
            return false;
        }
        return true;
    }

    /**
     * An acceptable connection is active: counts it and returns true, or returns false (counted as refused) when it
     * must be closed: at the cap with no connection to evict.
     */
    boolean admit(Member connection) {
        if (open.incrementAndGet() > maxConnections && !evictOne()) {
            open.decrementAndGet();
            count(refusedAtLimit);
            LOG.debugf("connection from %s closed: %d connections open, the limit", connection.remoteAddress(), maxConnections);
            return false;
        }
        counted.add(connection);
        connections.add(connection);
        return true;
    }

    /** The connection closed: no longer counted. */
    void closed(Member connection) {
        if (counted.remove(connection)) {
            connections.remove(connection);
            open.decrementAndGet();
        }
    }

    /**
     * Closes the connection that has gone the longest without a request in progress, sparing those opened within
     * {@link #GRACE_NANOS} that have not sent one yet unless there is no other; false when every connection is in a
     * request. A scan of the open connections: it runs only at the cap.
     */
    private boolean evictOne() {
        long now = System.nanoTime();
        Member oldest = null;
        long oldestSince = 0;
        Member oldestNew = null;
        long oldestNewSince = 0;
        for (Member candidate : connections) {
            long since = candidate.evictableSince();
            if (since == IN_REQUEST) {
                continue;
            }
            boolean justOpened = !candidate.served() && now - since < graceNanos;
            if (justOpened) {
                if (oldestNew == null || since - oldestNewSince < 0) {
                    oldestNew = candidate;
                    oldestNewSince = since;
                }
            } else if (oldest == null || since - oldestSince < 0) {
                oldest = candidate;
                oldestSince = since;
            }
        }
        for (Member victim : new Member[] {oldest, oldestNew}) {
            if (victim != null && connections.remove(victim) && victim.evict()) {
                count(evicted);
                return true;
            }
        }
        return false;
    }

    private static void count(Counter counter) {
        if (counter != null) {
            counter.increment();
        }
    }
}
