package dev.firstordinal.cli;

import dev.firstordinal.config.FirstOrdinalConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/**
 * {@code first-ordinal.exit-after-start=true}: exits once start-up (warm-up review included) is
 * done, so that the AOT-cache training run ({@code -XX:AOTCacheOutput}) records the classes a start loads. Observes last.
 */
@ApplicationScoped
class ExitAfterStart {

    private static final Logger LOG = Logger.getLogger(ExitAfterStart.class);

    void exitIfTraining(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) StartupEvent event, FirstOrdinalConfig config) {
        if (config.exitAfterStart()) {
            LOG.info("started; exiting (first-ordinal.exit-after-start=true: a class-data training run)");
            Quarkus.asyncExit(0);
        }
    }
}
