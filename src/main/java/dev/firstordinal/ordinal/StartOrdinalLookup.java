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
     * A start ordinal and, when it is a guess (for example a StatefulSet that could not be read),
     * a warning to pass on to the user.
     */
    record StartOrdinal(int value, Optional<String> warning) {

        public static StartOrdinal of(int value) {
            return new StartOrdinal(value, Optional.empty());
        }

        public static StartOrdinal guessed(int value, String warning) {
            return new StartOrdinal(value, Optional.of(warning));
        }
    }
}
