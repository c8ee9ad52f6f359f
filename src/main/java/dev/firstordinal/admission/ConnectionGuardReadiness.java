package dev.firstordinal.admission;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the {@link ConnectionGuard} is in force on the TLS port and on the management port: a webhook
 * without its connection cap and header deadline must not receive the API server's traffic.
 */
@Readiness
@ApplicationScoped
public class ConnectionGuardReadiness implements HealthCheck {

    private final ConnectionGuard guard;

    ConnectionGuardReadiness(ConnectionGuard guard) {
        this.guard = guard;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("connection-limits").status(guard.inForce()).withData("limits", guard.describe()).build();
    }
}
