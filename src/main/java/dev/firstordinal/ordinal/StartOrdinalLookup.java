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

    StartOrdinal startOrdinal(String namespace, String statefulSet);

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
