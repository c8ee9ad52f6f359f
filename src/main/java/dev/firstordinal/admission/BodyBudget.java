package dev.firstordinal.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies buffered at once, across all connections. A body reserves its size
 * (its declared Content-Length, or chunk by chunk) before it is read and gives it back once answered;
 * a reservation that does not fit is refused, and the request gets a 429 instead of a place in the heap.
 * Large bodies may take at most {@link #LARGE_SHARE_PERCENT}% of the budget, so that the typical review
 * (a few KiB) still finds room while maximum-size bodies are in flight.
 */
public final class BodyBudget {

    /** A body larger than this is "large": it is parsed on the one large-review thread and limited to part of the budget. */
    public static final int LARGE_BODY_BYTES = 256 * 1024;
    static final int LARGE_SHARE_PERCENT = 80;

    private final long limit;
    private final long largeLimit;
    private final AtomicLong inFlight = new AtomicLong();

    public BodyBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("first-ordinal.admission.bodies-in-flight-bytes must be positive, not " + limit);
        }
        this.limit = limit;
        this.largeLimit = limit * LARGE_SHARE_PERCENT / 100;
    }

    /** Reserves {@code bytes} for a body that will be {@code totalBytes} long in all; false (nothing reserved) when it does not fit. */
    public boolean tryReserve(long bytes, long totalBytes) {
        long cap = totalBytes > LARGE_BODY_BYTES ? largeLimit : limit;
        while (true) {
            long now = inFlight.get();
            long next = now + bytes;
            if (next > cap) {
                return false;
            }
            if (inFlight.compareAndSet(now, next)) {
                return true;
            }
        }
    }

    /** Counts {@code bytes} more whether or not they fit: memory already taken (an answer), to be {@linkplain #release released} later. */
    public void add(long bytes) {
        inFlight.addAndGet(bytes);
    }

    public void release(long bytes) {
        inFlight.addAndGet(-bytes);
    }

    public long inFlight() {
        return inFlight.get();
    }

    public long limit() {
        return limit;
    }
}
