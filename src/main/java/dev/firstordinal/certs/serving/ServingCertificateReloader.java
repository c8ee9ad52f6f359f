package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.config.FirstOrdinalConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves a changed certificate without a restart. Every {@code first-ordinal.tls.reload-period} it
 * reads the certificate and key files; when they changed and hold a certificate with its own key,
 * the {@link ServingKeyManager} gives that pair to every new handshake. Open connections and
 * in-flight requests carry on untouched. (Off in self-managed mode, which serves the Secret directly.)
 *
 * <p>A Secret update swaps both files at once, but two reads can straddle the swap (an old
 * certificate with a new key): a pair that does not match is read again, and never served.
 * Quarkus' own {@code reload-period} is not used: it loads blindly and its server update drops
 * connections accepted meanwhile (see {@link ServingKeyManager}).
 */
@ApplicationScoped
public class ServingCertificateReloader {

    /** What a check did. */
    public enum Outcome { UNCHANGED, RELOADED, REJECTED }

    private static final Logger LOG = Logger.getLogger(ServingCertificateReloader.class);
    private static final int READ_ATTEMPTS = 3;
    private static final long REREAD_PAUSE_MILLIS = 50;

    private final ServingKeyManager keyManager;
    private final Path certFile;
    private final Path keyFile;
    private final Duration period;
    private final boolean selfManaged;
    private ScheduledExecutorService scheduler;
    private Contents loaded;
    private Contents rejected;

    ServingCertificateReloader(ServingKeyManager keyManager, FirstOrdinalConfig config) {
        this.keyManager = keyManager;
        this.certFile = Path.of(config.tls().certFile());
        this.keyFile = Path.of(config.tls().keyFile());
        this.period = config.tls().reloadPeriod();
        this.selfManaged = config.tls().mode() == FirstOrdinalConfig.Tls.Mode.SELF_MANAGED;
        if (period.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalStateException("invalid first-ordinal configuration: first-ordinal.tls.reload-period must be "
                    + "at least 1s, got " + period);
        }
    }

    void start(@Observes StartupEvent event) {
        if (selfManaged) {
            LOG.debug("self-managed TLS: the certificate comes from the Secret, not from files");
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "first-ordinal-tls-reload");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        LOG.debugf("checking %s and %s for a new certificate every %s", certFile, keyFile, period);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void check() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            LOG.warn("certificate reload check failed; will retry in " + period, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Serves the certificate files if they changed since the last load and hold a certificate with its key. */
    public synchronized Outcome reloadIfChanged() throws InterruptedException {
        Contents current = null;
        String problem = null;
        for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                Thread.sleep(REREAD_PAUSE_MILLIS);
            }
            try {
                current = read();
            } catch (IOException e) {
                current = null;
                problem = "cannot read " + certFile + " or " + keyFile + ": " + e;
                continue;
            }
            if (current.equals(loaded)) {
                return Outcome.UNCHANGED;
            }
            ServingPair pair;
            try {
                pair = ServingPair.parse(current.certificate(), current.key());
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
                continue;
            }
            loaded = current;
            rejected = null;
            if (keyManager.current().map(served -> sameAs(served, pair)).orElse(false)) {
                return Outcome.UNCHANGED;
            }
            keyManager.install(pair);
            LOG.infof("serving a new certificate from %s: %s", certFile, pair.describe());
            return Outcome.RELOADED;
        }
        if (current == null || !current.equals(rejected)) {
            LOG.warnf("not loading the certificate files (%s); still serving the previous certificate", problem);
        }
        rejected = current;
        return Outcome.REJECTED;
    }

    private static boolean sameAs(ServingPair served, ServingPair read) {
        return served.chain().equals(read.chain()) && served.key().equals(read.key());
    }

    private Contents read() throws IOException {
        return new Contents(Files.readAllBytes(certFile), Files.readAllBytes(keyFile));
    }

    /** The two files' bytes; equal when both are byte-for-byte equal. */
    private record Contents(byte[] certificateBytes, byte[] keyBytes) {

        String certificate() {
            return new String(certificateBytes, StandardCharsets.US_ASCII);
        }

        String key() {
            return new String(keyBytes, StandardCharsets.US_ASCII);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Contents that && Arrays.equals(certificateBytes, that.certificateBytes)
                    && Arrays.equals(keyBytes, that.keyBytes);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(certificateBytes) + Arrays.hashCode(keyBytes);
        }
    }
}
