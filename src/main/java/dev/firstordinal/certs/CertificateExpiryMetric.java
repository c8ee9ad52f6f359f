package dev.firstordinal.certs;

import dev.firstordinal.config.FirstOrdinalConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/**
 * {@code first_ordinal_certificate_expiry_seconds}: the serving certificate's notAfter as Unix
 * seconds, read from {@code first-ordinal.tls.cert-file} at scrape time. NaN when the file cannot be
 * read, so an alert on {@code absent()} or on the value both notice a broken mount.
 */
@Singleton
public class CertificateExpiryMetric implements MeterBinder {

    public static final String NAME = "first_ordinal.certificate.expiry";

    private final CertificateExpiry expiry;

    public CertificateExpiryMetric(FirstOrdinalConfig config) {
        this.expiry = new CertificateExpiry(Path.of(config.tls().certFile()));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(NAME, expiry, e -> e.notAfter().map(t -> (double) t.getEpochSecond()).orElse(Double.NaN))
                .description("notAfter of the serving certificate (first-ordinal.tls.cert-file), as Unix time")
                .baseUnit("seconds")
                .register(registry);
    }
}
