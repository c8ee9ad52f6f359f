package dev.firstordinal.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class HttpBodyLoggingTest {

    private final Logger logger = Logger.getLogger(HttpBodyLogging.LOGGER);
    private final Level before = logger.getLevel();

    @AfterEach
    void restore() {
        logger.setLevel(before);
    }

    @Test
    void theClientsHttpLoggingInterceptorNoLongerTracesBodies() {
        logger.setLevel(Level.ALL); // as in a CLI mode: the log manager's root is at ALL until Quarkus configures it
        var interceptor = LoggerFactory.getLogger("io.fabric8.kubernetes.client.http.HttpLoggingInterceptor");
        assertThat(interceptor.isTraceEnabled()).isTrue();

        HttpBodyLogging.off();

        assertThat(interceptor.isTraceEnabled()).isFalse();
        assertThat(interceptor.isInfoEnabled()).isTrue();
    }

    @Test
    void leavesAHigherLevelAlone() {
        logger.setLevel(Level.SEVERE);

        HttpBodyLogging.off();

        assertThat(logger.getLevel()).isEqualTo(Level.SEVERE);
    }
}
