package dev.firstordinal.testing;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.PemFiles;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Gives every {@code @QuarkusTest} a freshly generated CA and a serving certificate for the
 * in-cluster service name and localhost, the way a cluster admin's Secret would.
 */
public class TestTls implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_DNS_NAME = "first-ordinal.first-ordinal.svc";
    private static Path dir;

    public static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("first-ordinal-test-tls");
                CertificateIssuer issuer = new CertificateIssuer();
                IssuedCertificate ca = issuer.certificateAuthority("first-ordinal test CA", Duration.ofDays(2), KeyType.EC_P256);
                IssuedCertificate serving = issuer.servingCertificate(ca,
                        List.of(SERVICE_DNS_NAME, "localhost"), List.of("127.0.0.1"), Duration.ofDays(1), KeyType.EC_P256);
                PemFiles.writePublic(dir.resolve("ca.crt"), ca.certificatePem());
                PemFiles.writePublic(dir.resolve("tls.crt"), serving.certificatePem());
                PemFiles.writePrivate(dir.resolve("tls.key"), serving.privateKeyPem());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    public static Path caCertificate() {
        return dir().resolve("ca.crt");
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                "first-ordinal.tls.cert-file", dir().resolve("tls.crt").toString(),
                "first-ordinal.tls.key-file", dir().resolve("tls.key").toString());
    }

    @Override
    public void stop() {
        // The directory is left for the JVM's temp cleanup: other test classes may still use it.
    }
}
