package dev.firstordinal.ordinal;

import java.util.Optional;

/**
 * The seam through which the first ordinal of a StatefulSet is found: its
 * {@code spec.ordinals.start}, 0 when unset. The webhook answers from an informer cache; offline
 * modes answer from the objects they were given.
 */
@FunctionalInterface
public interface StartOrdinalLookup {

    /** Every StatefulSet starts at ordinal 0 (the Kubernetes default). */
    StartOrdinalLookup ZERO = (namespace, statefulSet) -> StartOrdinal.of(0);

    /** The start ordinal; may block (for example on an API request) when the answer is not in memory. */
    StartOrdinal startOrdinal(String namespace, String statefulSet);

    /**
     * The start ordinal if it is known without blocking (from memory); empty when only a blocking
     * call could tell. Callers on an event loop use this first and go to a worker thread on empty.
     * Lookups that never block, the default, always answer.
     */
    default Optional<StartOrdinal> withoutBlocking(String namespace, String statefulSet) {
        return Optional.of(startOrdinal(namespace, statefulSet));
    }

    /**
     * Reads the start ordinal again, past any cache, because {@code cached} cannot be right for the pod
     * under review ({@link StartOrdinal#ruledOut}). May block, bounded as a cache miss is. Lookups that
     * keep no cache (their answers never carry replicas, so never rule a pod out) return {@code cached}.
     */
    default StartOrdinal reread(String namespace, String statefulSet, StartOrdinal cached) {
        return cached;
    }

    /**
     * A start ordinal and, when it is a guess (for example a StatefulSet that could not be read),
     * a warning to pass on to the user.
     *
     * @param replicas {@code spec.replicas} as the answer's source saw it, when the answer comes from a cache
     *                 that may lag the API server; {@link #UNKNOWN_REPLICAS} otherwise
     */
    record StartOrdinal(int value, Optional<String> warning, int replicas) {

        /** No replica count: the answer is never {@linkplain #ruledOut ruled out}. */
        public static final int UNKNOWN_REPLICAS = -1;

        public StartOrdinal(int value, Optional<String> warning) {
            this(value, warning, UNKNOWN_REPLICAS);
        }

        public static StartOrdinal of(int value) {
            return new StartOrdinal(value, Optional.empty());
        }

        public static StartOrdinal guessed(int value, String warning) {
            return new StartOrdinal(value, Optional.of(warning));
        }

        /** An answer from a cache that saw {@code spec.ordinals.start} = {@code value} and {@code spec.replicas} = {@code replicas}. */
        public static StartOrdinal cached(int value, int replicas) {
            return new StartOrdinal(value, Optional.empty(), replicas);
        }

        /**
         * Whether this answer is stale for a pod of {@code ordinal} that is being created: the StatefulSet
         * controller creates only ordinals in {@code [start, start + replicas)} of the set's current spec, so
         * a pod outside the range this answer saw proves the set changed since (start moved up or down, or a
         * scale-up the cache has not seen). Never true without a replica count.
         */
        public boolean ruledOut(int ordinal) {
            return replicas != UNKNOWN_REPLICAS && (ordinal < value || ordinal >= (long) value + replicas);
        }
    }
}
