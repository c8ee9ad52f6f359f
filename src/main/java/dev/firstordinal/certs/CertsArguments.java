package dev.firstordinal.certs;

import picocli.CommandLine.Option;

import java.util.List;

/** The {@code certs} command's options as parsed, a picocli mixin; {@link CertsOptions#of} checks them. */
final class CertsArguments {

    @Option(names = "--service", paramLabel = "NAME", description = "Service name (default " + CertsOptions.DEFAULT_SERVICE + ")")
    String service = CertsOptions.DEFAULT_SERVICE;

    @Option(names = "--namespace", paramLabel = "NS", description = "its namespace (default " + CertsOptions.DEFAULT_NAMESPACE + ")")
    String namespace = CertsOptions.DEFAULT_NAMESPACE;

    @Option(names = "--out", paramLabel = "DIR",
            description = "output directory (default " + CertsOptions.DEFAULT_OUT + "; created if missing)")
    String out = CertsOptions.DEFAULT_OUT;

    @Option(names = "--dns", paramLabel = "NAME", split = ",",
            description = "another DNS name for the certificate; repeat or comma-separate")
    List<String> dns;

    @Option(names = "--ip", paramLabel = "ADDRESS", split = ",",
            description = "an IP address for the certificate (e.g. 127.0.0.1); repeat or comma-separate")
    List<String> ips;

    @Option(names = "--key-type", paramLabel = "ec|rsa", completionCandidates = KeyTypes.class,
            description = "ec: ECDSA P-256 (default); rsa: RSA 2048 (for both CA and serving key)")
    String keyType = "ec";

    @Option(names = "--days", paramLabel = "N",
            description = "serving certificate validity in days (default " + CertsOptions.DEFAULT_DAYS + ")")
    String days;

    @Option(names = "--ca-days", paramLabel = "N", description = "CA validity in days (default " + CertsOptions.DEFAULT_CA_DAYS + ")")
    String caDays;

    @Option(names = "--secret-name", paramLabel = "NAME",
            description = "name of the Secret in secret.yaml (default " + CertsOptions.DEFAULT_SECRET + ")")
    String secretName = CertsOptions.DEFAULT_SECRET;

    @Option(names = "--webhook-configuration", paramLabel = "NAME",
            description = "the MutatingWebhookConfiguration in the printed patch (default " + CertsOptions.DEFAULT_WEBHOOK_CONFIGURATION + ")")
    String webhookConfiguration = CertsOptions.DEFAULT_WEBHOOK_CONFIGURATION;

    @Option(names = "--renew", description = "keep ca.crt/ca.key in DIR, issue a new serving certificate from them: "
            + "the caBundle stays valid, only the Secret changes")
    boolean renew;

    @Option(names = "--force", description = "overwrite existing keys (makes a new CA: patch the caBundle again)")
    boolean force;

    /** The values completion offers for --key-type. */
    static final class KeyTypes implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("ec", "rsa").iterator();
        }
    }
}
