package dev.firstordinal.certs;

import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.UsageException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code certs}: makes a CA and a serving certificate for the webhook's Service, with the Secret
 * manifest and the {@code caBundle} to install them. Plain Java: no Quarkus, no network.
 */
@Command(name = "certs", sortOptions = false,
        description = {"write a CA, a serving certificate, its Secret manifest and caBundle (no cluster needed)", "",
                "Makes a private CA and a TLS serving certificate for the webhook's Service, writes them as PEM, "
                        + "a kubernetes.io/tls Secret manifest and the base64 caBundle for the MutatingWebhookConfiguration, "
                        + "and prints the kubectl commands to install them. Needs no cluster and starts no server.", ""},
        footer = {"",
                "The serving certificate's subject alternative names are <svc>, <svc>.<ns>, <svc>.<ns>.svc and "
                        + "<svc>.<ns>.svc.cluster.local, plus --dns and --ip; its extended key usage is serverAuth. It is "
                        + "valid from five minutes ago (clock skew) for --days.",
                "",
                "Files written to DIR:",
                "  ca.crt, ca.key        the CA (ca.key mode 0600; keep it out of the cluster)",
                "  tls.crt, tls.key      the serving certificate and key (tls.key mode 0600)",
                "  secret.yaml           kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt (mode 0600)",
                "  ca-bundle.b64         base64 of ca.crt: the webhook configuration's caBundle",
                "",
                "An existing ca.key, tls.key or secret.yaml is never overwritten without --renew or --force.",
                "",
                "Exit codes: 0 done; 2 bad arguments or refused to overwrite (one line on stderr); 1 I/O error.",
                "",
                "Example:",
                "  first-ordinal certs --service first-ordinal --namespace first-ordinal \\",
                "      --out certs/out",
                "  kubectl apply -f certs/out/secret.yaml"})
public final class CertsCommand implements CliCommand, Callable<Integer> {

    static final String CA_CRT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String TLS_CRT = "tls.crt";
    static final String TLS_KEY = "tls.key";
    static final String SECRET_YAML = "secret.yaml";
    static final String CA_BUNDLE = "ca-bundle.b64";

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    @Mixin
    CertsArguments arguments = new CertsArguments();

    @Mixin
    HelpOption help = new HelpOption();

    public CertsCommand() {
        this(System.out, System.err, Clock.systemUTC());
    }

    CertsCommand(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    @Override
    public int run(List<String> args) {
        return CommandRunner.run(this, args, out, err);
    }

    /** Writes the files; usage errors and refusals are thrown, for {@link CommandRunner} (exit 2). */
    @Override
    public Integer call() throws IOException, UsageException {
        CertsOptions options = CertsOptions.of(arguments);
        try {
            return options.renew() ? renew(options) : create(options);
        } catch (RefusedException e) {
            err.println("first-ordinal certs: " + e.getMessage());
            return USAGE_ERROR;
        } catch (java.nio.file.FileSystemException e) {
            // Their message is only the path: say what is wrong with it.
            err.println("first-ordinal certs: cannot write to --out " + options.out() + ": " + e.getFile() + ": " + why(e));
            return 1;
        }
    }

    private static String why(java.nio.file.FileSystemException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException) {
            return "exists and is not a directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    private int create(CertsOptions options) throws IOException, RefusedException {
        Path dir = options.out();
        if (!options.force()) {
            for (String name : List.of(CA_KEY, TLS_KEY, SECRET_YAML)) {
                if (Files.exists(dir.resolve(name))) {
                    throw new RefusedException(dir.resolve(name) + " exists; not overwriting keys. Use --renew to issue a new "
                            + "serving certificate from the existing CA (caBundle unchanged) or --force to replace the CA too");
                }
            }
        }
        CertificateIssuer issuer = new CertificateIssuer(clock);
        IssuedCertificate ca = issuer.certificateAuthority(CertificateIssuer.caCommonName(clock.instant()),
                Duration.ofDays(options.caDays()), options.keyType());
        IssuedCertificate serving = issue(issuer, ca, options, Duration.ofDays(options.days()));
        PemFiles.writePrivate(dir.resolve(CA_KEY), ca.privateKeyPem());
        PemFiles.writePublic(dir.resolve(CA_CRT), ca.certificatePem());
        write(options, ca.certificate(), serving);
        report(options, ca.certificate(), serving, false);
        return 0;
    }

    private int renew(CertsOptions options) throws IOException, RefusedException {
        Path dir = options.out();
        Path caCrt = dir.resolve(CA_CRT);
        Path caKey = dir.resolve(CA_KEY);
        if (!Files.isRegularFile(caCrt) || !Files.isRegularFile(caKey)) {
            throw new RefusedException("--renew needs the existing CA: " + caCrt + " and " + caKey + " (run without --renew to make one)");
        }
        IssuedCertificate ca;
        try {
            ca = new IssuedCertificate(Pem.certificate(Files.readString(caCrt, StandardCharsets.US_ASCII)),
                    Pem.privateKey(Files.readString(caKey, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            throw new RefusedException("cannot read the CA in " + dir + ": " + e.getMessage());
        }
        if (!Pem.matches(ca.privateKey(), ca.certificate())) {
            throw new RefusedException(caKey + " is not the key of " + caCrt);
        }
        Instant now = clock.instant();
        Instant caExpiry = ca.certificate().getNotAfter().toInstant();
        Instant wanted = now.plus(Duration.ofDays(options.days()));
        if (wanted.isAfter(caExpiry)) {
            throw new RefusedException("the CA in " + caCrt + " expires " + caExpiry + ", before the " + options.days()
                    + " days asked for; use fewer --days, or --force to make a new CA (the caBundle changes)");
        }
        IssuedCertificate serving = issue(new CertificateIssuer(clock), ca, options, Duration.ofDays(options.days()));
        write(options, ca.certificate(), serving);
        report(options, ca.certificate(), serving, true);
        return 0;
    }

    private static IssuedCertificate issue(CertificateIssuer issuer, IssuedCertificate ca, CertsOptions options, Duration validity) {
        List<String> names = ServiceDnsNames.of(options.service(), options.namespace(), options.extraDnsNames());
        return issuer.servingCertificate(ca, names, options.ipAddresses(), validity, options.keyType());
    }

    private void write(CertsOptions options, X509Certificate ca, IssuedCertificate serving) throws IOException {
        Path dir = options.out();
        String caPem = Pem.encode(List.of(ca));
        PemFiles.writePrivate(dir.resolve(TLS_KEY), serving.privateKeyPem());
        PemFiles.writePublic(dir.resolve(TLS_CRT), serving.certificatePem());
        PemFiles.writePrivate(dir.resolve(SECRET_YAML), secretYaml(options, caPem, serving));
        PemFiles.writePublic(dir.resolve(CA_BUNDLE), caBundle(caPem) + "\n");
    }

    /** The {@code kubernetes.io/tls} Secret that the Deployment mounts; it carries ca.crt too, as cert-manager's do. */
    static String secretYaml(CertsOptions options, String caPem, IssuedCertificate serving) {
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withName(options.secretName())
                .withNamespace(options.namespace())
                .addToLabels("app.kubernetes.io/name", "first-ordinal")
                .addToLabels("app.kubernetes.io/component", "webhook-tls")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(serving.certificatePem()))
                .addToData("tls.key", base64(serving.privateKeyPem()))
                .addToData("ca.crt", base64(caPem))
                .build();
        return Serialization.asYaml(secret);
    }

    /** The webhook configuration's {@code caBundle}: base64 of the PEM CA certificate(s). */
    static String caBundle(String caPem) {
        return base64(caPem);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private void report(CertsOptions options, X509Certificate ca, IssuedCertificate serving, boolean renewed) {
        Path dir = options.out();
        List<String> names = new ArrayList<>(ServiceDnsNames.of(options.service(), options.namespace(), options.extraDnsNames()));
        names.addAll(options.ipAddresses());
        String bundle = caBundle(Pem.encode(List.of(ca)));
        out.printf("Wrote %s%n", dir);
        if (!renewed) {
            out.printf("  %-14s CA certificate, %s, valid until %s%n", CA_CRT, ca.getSubjectX500Principal().getName(),
                    ca.getNotAfter().toInstant());
            out.printf("  %-14s CA private key (mode 0600): keep it safe and out of the cluster; 'certs --renew' needs it%n", CA_KEY);
        } else {
            out.printf("  (kept %s and %s: the CA and the caBundle are unchanged)%n", CA_CRT, CA_KEY);
        }
        out.printf("  %-14s serving certificate (%s) for %s, valid until %s%n", TLS_CRT, options.keyType(),
                String.join(", ", names), serving.certificate().getNotAfter().toInstant());
        out.printf("  %-14s serving private key (mode 0600)%n", TLS_KEY);
        out.printf("  %-14s kubernetes.io/tls Secret %s/%s (tls.crt, tls.key, ca.crt; mode 0600)%n", SECRET_YAML,
                options.namespace(), options.secretName());
        out.printf("  %-14s the base64 caBundle for the MutatingWebhookConfiguration%n", CA_BUNDLE);
        out.println();
        out.println("Install (the webhook reloads a changed Secret within its reload period, no restart):");
        out.printf("  kubectl apply -f %s%n", dir.resolve(SECRET_YAML));
        if (renewed) {
            out.println("  # the caBundle already trusts this CA: no patch needed");
        } else {
            out.printf("  kubectl patch mutatingwebhookconfiguration %s --type=json -p "
                            + "'[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"%s\"}]'%n",
                    options.webhookConfiguration(), bundle);
        }
    }

    private static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }
}
