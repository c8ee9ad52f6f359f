package dev.firstordinal.cluster;

/**
 * Whether {@code serve} found no cluster configured at all and has already said, in one line, that
 * it runs without the StatefulSet cache, coverage gauges and self-repair: the beans that would each
 * log their own "disabled" line then stay quiet. Set once, before Quarkus starts.
 */
public final class NoCluster {

    private static volatile boolean announced;

    private NoCluster() {
    }

    /** Records that the one line was printed. */
    public static void announced() {
        announced = true;
    }

    /** Whether a bean's own "disabled" line would repeat the one line. */
    public static boolean alreadySaid() {
        return announced;
    }
}
