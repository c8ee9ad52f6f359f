package dev.firstordinal.certs;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CertsCommandTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @TempDir
    Path tmp;

    private Path out;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        out = tmp.resolve("out");
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--out")) {
            all.add("--out");
            all.add(out.toString());
        }
        stdout.reset();
        stderr.reset();
        return new CertsCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC)).run(all);
    }

    private X509Certificate cert(String name) throws Exception {
        return Pem.certificate(Files.readString(out.resolve(name)));
    }

    private String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesCaServingCertificateKeysSecretAndCaBundle() throws Exception {
        assertThat(run("--service", "first-ordinal", "--namespace", "first-ordinal")).isZero();

        assertThat(out).isDirectoryContaining("glob:**/ca.crt").isDirectoryContaining("glob:**/ca.key")
                .isDirectoryContaining("glob:**/tls.crt").isDirectoryContaining("glob:**/tls.key")
                .isDirectoryContaining("glob:**/secret.yaml").isDirectoryContaining("glob:**/ca-bundle.b64");
        assertThat(Pem.matches(Pem.privateKey(Files.readString(out.resolve("tls.key"))), cert("tls.crt"))).isTrue();
        assertThat(Pem.matches(Pem.privateKey(Files.readString(out.resolve("ca.key"))), cert("ca.crt"))).isTrue();
        assertThat(stderr()).isEmpty();
    }

    @Test
    void printsWhereFilesWentAndTheKubectlCommandsToInstallThem() throws Exception {
        run("--webhook-configuration", "my-hook");
        String bundle = Files.readString(out.resolve("ca-bundle.b64")).trim();

        assertThat(stdout()).contains("Wrote " + out)
                .contains("kubectl apply -f " + out.resolve("secret.yaml"))
                .contains("kubectl patch mutatingwebhookconfiguration my-hook --type=json -p "
                        + "'[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"" + bundle + "\"}]'");
    }

    @Test
    void keysAndSecretAreReadableByTheOwnerOnly() throws Exception {
        run();
        for (String secret : List.of("ca.key", "tls.key", "secret.yaml")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(secret)))).as(secret).isEqualTo("rw-------");
        }
        for (String open : List.of("ca.crt", "tls.crt", "ca-bundle.b64")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(open)))).as(open).isEqualTo("rw-r--r--");
        }
    }

    @Test
    void servingCertificateNamesTheServiceInAllFourFormsPlusExtraNames() throws Exception {
        run("--service", "hooks", "--namespace", "infra", "--dns", "hooks.example.org,Other.Example.org", "--dns", "x.test",
                "--ip", "127.0.0.1", "--ip", "::1");

        X509Certificate serving = cert("tls.crt");
        assertThat(sans(serving, 2)).containsExactly("hooks", "hooks.infra", "hooks.infra.svc", "hooks.infra.svc.cluster.local",
                "hooks.example.org", "other.example.org", "x.test");
        assertThat(sans(serving, 7)).containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(serving.getSubjectX500Principal().getName()).isEqualTo("CN=hooks");
    }

    @Test
    void servingCertificateIsForServerAuthAndValidForDaysFromFiveMinutesAgo() throws Exception {
        run("--days", "90");

        X509Certificate serving = cert("tls.crt");
        assertThat(serving.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_serverAuth.getId());
        assertThat(serving.getNonCriticalExtensionOIDs()).contains(Extension.extendedKeyUsage.getId());
        assertThat(serving.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(serving.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(serving.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(serving.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        assertThat(serving.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(90)));
    }

    @Test
    void caIsValidForCaDaysMayOnlySignLeavesAndSignsTheServingCertificate() throws Exception {
        run("--ca-days", "1000");

        X509Certificate ca = cert("ca.crt");
        assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(1000)));
        assertThat(ca.getBasicConstraints()).as("path length 0").isZero();
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        cert("tls.crt").verify(ca.getPublicKey());
        assertThat(cert("tls.crt").getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    }

    @Test
    void defaultsAreEcdsaP256With365DayServingAnd3650DayCaCertificates() throws Exception {
        run();

        assertThat(cert("tls.crt").getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) cert("tls.crt").getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(cert("ca.crt").getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(cert("tls.crt").getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
        assertThat(cert("ca.crt").getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
        assertThat(sans(cert("tls.crt"), 2)).containsExactly("first-ordinal", "first-ordinal.first-ordinal",
                "first-ordinal.first-ordinal.svc", "first-ordinal.first-ordinal.svc.cluster.local");
    }

    @Test
    void rsaKeyTypeMakesRsa2048KeysWithKeyEncipherment() throws Exception {
        run("--key-type", "rsa");

        assertThat(((RSAPublicKey) cert("tls.crt").getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(((RSAPublicKey) cert("ca.crt").getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(cert("tls.crt").getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(cert("tls.crt").getKeyUsage()[2]).as("keyEncipherment").isTrue();
        assertThat(Pem.privateKey(Files.readString(out.resolve("tls.key"))).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void secretYamlIsAKubernetesTlsSecretHoldingTheServingPairAndTheCa() throws Exception {
        run("--namespace", "webhooks", "--secret-name", "hook-tls");

        Secret secret = Serialization.unmarshal(Files.readString(out.resolve("secret.yaml")), Secret.class);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getMetadata().getName()).isEqualTo("hook-tls");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("webhooks");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(decode(secret.getData().get("tls.crt"))).isEqualTo(Files.readString(out.resolve("tls.crt")));
        assertThat(decode(secret.getData().get("tls.key"))).isEqualTo(Files.readString(out.resolve("tls.key")));
        assertThat(decode(secret.getData().get("ca.crt"))).isEqualTo(Files.readString(out.resolve("ca.crt")));
    }

    @Test
    void caBundleIsTheBase64OfTheCaCertificate() throws Exception {
        run();

        String bundle = Files.readString(out.resolve("ca-bundle.b64"));
        assertThat(bundle).endsWith("\n").doesNotContain(" ");
        assertThat(decode(bundle.trim())).isEqualTo(Files.readString(out.resolve("ca.crt")));
    }

    @Test
    void refusesToOverwriteExistingKeysWithoutForceAndChangesNothing() throws Exception {
        run();
        byte[] caKey = Files.readAllBytes(out.resolve("ca.key"));
        byte[] tlsCrt = Files.readAllBytes(out.resolve("tls.crt"));

        assertThat(run()).isEqualTo(2);

        assertThat(stderr()).contains("exists").contains("--force").contains("--renew").doesNotContain("\tat ");
        assertThat(stderr().trim().lines()).hasSize(1);
        assertThat(Files.readAllBytes(out.resolve("ca.key"))).isEqualTo(caKey);
        assertThat(Files.readAllBytes(out.resolve("tls.crt"))).isEqualTo(tlsCrt);
    }

    @Test
    void refusesWhenOnlyTheServingKeyExists() throws Exception {
        Files.createDirectories(tmp.resolve("out"));
        Files.writeString(tmp.resolve("out/tls.key"), "someone's key");

        assertThat(run()).isEqualTo(2);
        assertThat(Files.readString(out.resolve("tls.key"))).isEqualTo("someone's key");
        assertThat(out.resolve("ca.crt")).doesNotExist();
    }

    @Test
    void forceReplacesTheCaAndTheServingCertificate() throws Exception {
        run();
        X509Certificate firstCa = cert("ca.crt");

        assertThat(run("--force")).isZero();

        assertThat(cert("ca.crt")).isNotEqualTo(firstCa);
        cert("tls.crt").verify(cert("ca.crt").getPublicKey());
    }

    @Test
    void renewKeepsTheCaAndIssuesANewServingCertificateFromIt() throws Exception {
        run();
        byte[] caCrt = Files.readAllBytes(out.resolve("ca.crt"));
        byte[] caKey = Files.readAllBytes(out.resolve("ca.key"));
        String bundle = Files.readString(out.resolve("ca-bundle.b64"));
        X509Certificate firstServing = cert("tls.crt");

        assertThat(run("--renew", "--days", "30")).isZero();

        assertThat(Files.readAllBytes(out.resolve("ca.crt"))).isEqualTo(caCrt);
        assertThat(Files.readAllBytes(out.resolve("ca.key"))).isEqualTo(caKey);
        assertThat(Files.readString(out.resolve("ca-bundle.b64"))).isEqualTo(bundle);
        assertThat(cert("tls.crt").getSerialNumber()).isNotEqualTo(firstServing.getSerialNumber());
        assertThat(cert("tls.crt").getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        cert("tls.crt").verify(cert("ca.crt").getPublicKey());
        assertThat(stdout()).contains("no patch needed").doesNotContain("kubectl patch");
    }

    @Test
    void renewWithoutAnExistingCaIsRefused() throws Exception {
        assertThat(run("--renew")).isEqualTo(2);
        assertThat(stderr()).contains("--renew needs the existing CA");
        assertThat(out.resolve("tls.crt")).doesNotExist();
    }

    @Test
    void renewRefusesACertificateThatWouldOutliveItsCa() throws Exception {
        run("--ca-days", "100", "--days", "50");

        assertThat(run("--renew", "--days", "200")).isEqualTo(2);
        assertThat(stderr()).contains("expires").contains("--force");
    }

    static Stream<List<String>> badArguments() {
        return Stream.of(
                List.of("--bogus"),
                List.of("stray"),
                List.of("--service"),
                List.of("--service", "--namespace", "x"),
                List.of("--days", "0"),
                List.of("--days", "-3"),
                List.of("--days", "ten"),
                List.of("--days", "36501"),
                List.of("--ca-days", "30", "--days", "31"),
                List.of("--key-type", "dsa"),
                List.of("--service", "Bad_Name"),
                List.of("--service", "1first"),
                List.of("--namespace", "-ns"),
                List.of("--dns", "bad..name"),
                List.of("--dns", "under_score.example"),
                List.of("--ip", "999.1.1.1"),
                List.of("--ip", "localhost"),
                List.of("--secret-name", "Bad"),
                List.of("--force", "--renew"),
                List.of("--renew", "--ca-days", "10"),
                List.of("--force=yes"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsGiveOneLineErrorAndAHintExit2AndWriteNothing(List<String> args) throws Exception {
        assertThat(run(args.toArray(String[]::new))).isEqualTo(2);

        assertThat(stderr().trim().lines()).hasSize(2);
        assertThat(stderr()).startsWith("first-ordinal certs: ");
        assertThat(stderr().lines().toList().get(1)).isEqualTo("Try 'first-ordinal certs --help' for the options.");
        assertThat(out).doesNotExist();
    }

    @Test
    void helpDocumentsEveryOptionAndWritesNothing() throws Exception {
        assertThat(run("--help")).isZero();

        for (String option : List.of("--service", "--namespace", "--out", "--dns", "--ip", "--key-type", "--days", "--ca-days",
                "--secret-name", "--webhook-configuration", "--renew", "--force", "--help")) {
            assertThat(stdout()).as(option).contains(option);
        }
        assertThat(stdout()).contains("default 365").contains("default 3650").contains("ECDSA P-256").contains("RSA 2048")
                .contains("0600").contains("Exit codes");
        assertThat(out).doesNotExist();
    }

    private static List<String> sans(X509Certificate certificate, int type) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> entry : certificate.getSubjectAlternativeNames()) {
            if ((Integer) entry.get(0) == type) {
                names.add((String) entry.get(1));
            }
        }
        return names;
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    /** Issue 30 #8: --out naming a file printed only the path. */
    @Test
    void anOutThatIsAFileSaysWhatIsWrongWithIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");

        int code = run("--service", "first-ordinal", "--namespace", "first-ordinal", "--out", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo("first-ordinal certs: cannot write to --out " + file + ": " + file
                + ": exists and is not a directory\n");
    }
}
