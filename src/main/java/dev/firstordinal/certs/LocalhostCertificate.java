package dev.firstordinal.certs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The embedded default: a CA and a serving certificate for {@code localhost}, {@code 127.0.0.1}
 * and {@code ::1}, so that {@code java -jar} serves HTTPS with no cluster and no Secret. Kept in a
 * directory and reused while valid for more than a day, so a client's {@code --cacert} keeps
 * working across restarts.
 */
public final class LocalhostCertificate {

    public static final List<String> DNS_NAMES = List.of("localhost");
    public static final List<String> IP_ADDRESSES = List.of("127.0.0.1", "::1");
    static final Duration VALIDITY = Duration.ofDays(365);

    public record PemSet(Path caCertificate, Path certificate, Path privateKey) {
    }

    private LocalhostCertificate() {
    }

    public static PemSet ensure(Path dir) throws IOException {
        PemSet files = new PemSet(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
        if (Files.isRegularFile(files.caCertificate()) && Files.isRegularFile(files.privateKey())
                && validForADay(files.certificate())) {
            return files;
        }
        CertificateIssuer issuer = new CertificateIssuer();
        IssuedCertificate ca = issuer.certificateAuthority("first-ordinal localhost CA", VALIDITY, KeyType.EC_P256);
        IssuedCertificate serving = issuer.servingCertificate(ca, DNS_NAMES, IP_ADDRESSES, VALIDITY, KeyType.EC_P256);
        PemFiles.writePublic(files.caCertificate(), ca.certificatePem());
        PemFiles.writePrivate(files.privateKey(), serving.privateKeyPem());
        PemFiles.writePublic(files.certificate(), serving.certificatePem());
        return files;
    }

    private static boolean validForADay(Path certificate) {
        if (!Files.isRegularFile(certificate)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return cert.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)));
        } catch (IOException | CertificateException | ClassCastException e) {
            return false;
        }
    }
}
