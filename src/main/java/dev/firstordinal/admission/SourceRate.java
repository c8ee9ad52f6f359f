package dev.firstordinal.admission;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rate of new connections each source address may open ({@code first-ordinal.admission.source-connection-rate}
 * per second, with a burst of as many): a token bucket per address. A TLS handshake costs the server about a
 * millisecond of CPU whatever the client sends, so one source replaying a ClientHello could keep the JVM's CPU busy
 * and starve the API server's new connections; past its rate a source's connections are closed at accept, before
 * any TLS work. The API server opens connections for a burst of concurrent reviews and then reuses them, far below
 * the rate. Sources behind one address (SNAT) share its bucket; many sources together are not limited here: the
 * NetworkPolicy is what keeps them off the port (docs/security.md).
 */
final class SourceRate {

    /** No limit. */
    static final SourceRate UNLIMITED = new SourceRate(0, System::nanoTime);

    /** Buckets kept at most; when full, the buckets that are full again (idle sources) are dropped. */
    private static final int MAX_SOURCES = 4096;

    private final double perSecond;
    private final LongSupplier nanoTime;
    private final Map<InetAddress, Bucket> buckets = new HashMap<>();

    private static final class Bucket {
        double tokens;
        long at;
    }

    /** {@code perSecond} new connections a second per source, bursts of as many; 0 for no limit. */
    SourceRate(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("first-ordinal.admission.source-connection-rate must be 0 (no limit) or positive, not " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
    }

    /** Takes one new connection from {@code source}'s allowance; false when it has none left (the connection is refused). */
    boolean tryAcquire(SocketAddress source) {
        if (perSecond == 0 || !(source instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return true;
        }
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket bucket = buckets.get(inet.getAddress());
            if (bucket == null) {
                if (buckets.size() >= MAX_SOURCES) {
                    dropFullBuckets(now);
                }
                bucket = new Bucket();
                bucket.tokens = perSecond;
                bucket.at = now;
                buckets.put(inet.getAddress(), bucket);
            } else {
                bucket.tokens = refilled(bucket, now);
                bucket.at = now;
            }
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens--;
            return true;
        }
    }

    private double refilled(Bucket bucket, long now) {
        return Math.min(perSecond, bucket.tokens + (now - bucket.at) / 1e9 * perSecond);
    }

    private void dropFullBuckets(long now) {
        buckets.values().removeIf(bucket -> refilled(bucket, now) >= perSecond);
        if (buckets.size() >= MAX_SOURCES) {
            buckets.clear(); // spoofed-looking spread of sources: start over rather than grow
        }
    }
}
