package dev.firstordinal.certs.rotation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Secret and the webhook configuration must hold now.
 *
 * @param secretData     the Secret's entries (PEM text), unchanged entries byte for byte as they were
 * @param secretChanged  whether {@code secretData} differs from what was read
 * @param caBundle       the CA certificates the webhook configuration's {@code caBundle} must hold
 * @param changes        one line per decision, for the log
 * @param nextEvent      when the plan next changes on its own (a renewal, a CA switch, an expiry), if ever
 */
public record RotationPlan(Map<String, String> secretData, boolean secretChanged, List<X509Certificate> caBundle,
                           List<String> changes, Optional<Instant> nextEvent) {

    public RotationPlan {
        secretData = Map.copyOf(secretData);
        caBundle = List.copyOf(caBundle);
        changes = List.copyOf(changes);
    }
}
