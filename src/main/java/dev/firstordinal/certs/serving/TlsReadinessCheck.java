package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.selfmanaged.SelfManagedTls;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the server presents the real certificate: always with mounted files (the start fails
 * without them), and in self-managed mode once the certificate from the Secret is served, not the
 * temporary one the pod starts with. Reports when the served certificate expires.
 */
@Readiness
@ApplicationScoped
public class TlsReadinessCheck implements HealthCheck {

    private final ServingCertificate serving;
    private final SelfManagedTls selfManaged;

    TlsReadinessCheck(ServingCertificate serving, SelfManagedTls selfManaged) {
        this.serving = serving;
        this.selfManaged = selfManaged;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("tls");
        serving.notAfter().ifPresent(notAfter -> response.withData("notAfter", notAfter.toString()));
        if (!selfManaged.enabled()) {
            return response.withData("mode", "files").status(serving.current().isPresent()).build();
        }
        response.withData("mode", "self-managed").withData("leader", selfManaged.leader());
        if (selfManaged.served().isEmpty()) {
            return response.down().withData("waiting", "for the certificate in the Secret").build();
        }
        return response.up().build();
    }
}
