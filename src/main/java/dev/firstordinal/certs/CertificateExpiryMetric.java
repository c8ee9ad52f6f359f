package dev.firstordinal.certs;

import dev.firstordinal.certs.serving.ServingCertificate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

/**
 * {@code first_ordinal_certificate_expiry_seconds}: the notAfter, as Unix seconds, of the certificate
 * the HTTPS server presents to new handshakes now: the mounted file's once it is loaded, or the
 * self-managed Secret's. NaN before a certificate is loaded.
 */
@Singleton
public class CertificateExpiryMetric implements MeterBinder {

    public static final String NAME = "first_ordinal.certificate.expiry";

    private final ServingCertificate serving;

    public CertificateExpiryMetric(ServingCertificate serving) {
        this.serving = serving;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(NAME, serving, s -> s.notAfter().map(t -> (double) t.getEpochSecond()).orElse(Double.NaN))
                .description("notAfter of the certificate the webhook serves, as Unix time")
                .baseUnit("seconds")
                .register(registry);
    }
}
