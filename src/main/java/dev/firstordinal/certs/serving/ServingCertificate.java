package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.ServingPair;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * The certificate new HTTPS handshakes get. {@link #notAfter()} is what a certificate-expiry gauge
 * should report.
 */
@ApplicationScoped
public class ServingCertificate {

    private final ServingKeyManager keyManager;

    ServingCertificate(ServingKeyManager keyManager) {
        this.keyManager = keyManager;
    }

    /** The leaf certificate served now; empty before the server has loaded one. */
    public Optional<X509Certificate> current() {
        return keyManager.current().map(ServingPair::leaf);
    }

    /** When the served certificate expires; empty before the server has loaded one. */
    public Optional<Instant> notAfter() {
        return keyManager.current().map(ServingPair::notAfter);
    }
}
