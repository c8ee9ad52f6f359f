package dev.firstordinal.certs.selfmanaged;

import dev.firstordinal.certs.rotation.CertificateSecret;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kubernetes.io/tls Secret self-managed TLS keeps its CA and serving pair in: read and parsed
 * ({@link #contents}), created or updated from PEM data ({@link #write}). An update carries the
 * resourceVersion of the Secret it was planned from, so it fails if the Secret changed meanwhile.
 */
final class TlsSecret {

    private static final Logger LOG = Logger.getLogger(SelfManagedCertificates.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    TlsSecret(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    /** The Secret now; null when it does not exist. */
    Secret read() {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    /** What {@code secret} holds; empty for null. Undecodable entries read as empty. */
    static CertificateSecret contents(Secret secret) {
        return secret == null ? CertificateSecret.empty() : CertificateSecret.parse(decode(secret.getData()));
    }

    /** Creates the Secret (when {@code existing} is null) or replaces its data with {@code pemData}. */
    void write(Secret existing, Map<String, String> pemData) {
        Map<String, String> data = new LinkedHashMap<>();
        pemData.forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.US_ASCII))));
        if (existing == null) {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/name", "first-ordinal")
                    .addToLabels("app.kubernetes.io/component", "webhook-tls")
                    .addToLabels("app.kubernetes.io/managed-by", "first-ordinal")
                    .endMetadata()
                    .withType("kubernetes.io/tls")
                    .withData(data)
                    .build()).create();
            LOG.infof("self-managed TLS: created Secret %s/%s", namespace, name);
        } else {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder(existing)
                    .withData(data)
                    .withStringData(null)
                    .build()).update();
            LOG.infof("self-managed TLS: updated Secret %s/%s", namespace, name);
        }
    }

    private static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> pem = new LinkedHashMap<>();
        if (data != null) {
            data.forEach((key, value) -> {
                try {
                    pem.put(key, new String(Base64.getDecoder().decode(value == null ? "" : value.trim()), StandardCharsets.US_ASCII));
                } catch (IllegalArgumentException e) {
                    pem.put(key, "");
                }
            });
        }
        return pem;
    }
}
