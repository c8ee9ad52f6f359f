package dev.firstordinal.admission;

import dev.firstordinal.ordinal.StartOrdinalLookup;

import java.util.Optional;

/**
 * A lookup that answers only from memory ({@link StartOrdinalLookup#withoutBlocking}) and notes
 * when it could not: a miss, or a cached answer that must be {@linkplain StartOrdinalLookup#reread read
 * again}. Its answer then is a placeholder: a decision made with it must be thrown away and made again,
 * off the event loop, with the blocking lookup.
 */
final class CacheOnlyLookup implements StartOrdinalLookup {

    private final StartOrdinalLookup starts;
    private boolean missed;

    CacheOnlyLookup(StartOrdinalLookup starts) {
        this.starts = starts;
    }

    @Override
    public StartOrdinal startOrdinal(String namespace, String statefulSet) {
        Optional<StartOrdinal> known = starts.withoutBlocking(namespace, statefulSet);
        if (known.isPresent()) {
            return known.get();
        }
        missed = true;
        return StartOrdinal.of(0);
    }

    /** A re-read blocks: noted like a miss, so that the review is decided again where the lookup may block. */
    @Override
    public StartOrdinal reread(String namespace, String statefulSet, StartOrdinal cached) {
        missed = true;
        return cached;
    }

    @Override
    public Optional<StartOrdinal> withoutBlocking(String namespace, String statefulSet) {
        return starts.withoutBlocking(namespace, statefulSet);
    }

    /** Whether a lookup needed a blocking call: the answer made with this lookup must not be used. */
    boolean missed() {
        return missed;
    }
}
