package dev.firstordinal.cluster;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the Kubernetes client from logging HTTP bodies in a CLI mode. The jar's log manager buffers every record
 * (its root logger is at ALL, its handler Quarkus' delayed one) until Quarkus configures logging, which a CLI
 * mode never does; the client's HTTP logging interceptor, seeing trace enabled, then wrote every response body
 * into that buffer: {@code audit} kept each list page (~2 MB of pods) until it ran out of heap (issue #31). {@code Main} turns it off for every mode but {@code serve}.
 */
public final class HttpBodyLogging {

    /** The logger of fabric8's {@code HttpLoggingInterceptor} and its package. */
    static final String LOGGER = "io.fabric8.kubernetes.client.http";

    private HttpBodyLogging() {
    }

    /** Raises the client's HTTP logging to INFO (bodies are logged only at trace), unless it is already set higher. */
    public static void off() {
        Logger logger = Logger.getLogger(LOGGER);
        if (logger.getLevel() == null || logger.getLevel().intValue() < Level.INFO.intValue()) {
            logger.setLevel(Level.INFO);
        }
    }
}
