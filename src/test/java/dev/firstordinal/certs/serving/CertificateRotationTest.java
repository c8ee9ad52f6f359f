package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.PemFiles;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.SecretVolume;
import dev.firstordinal.testing.TlsClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Certificate rotation under load, as a Secret update reaches a pod: the kubelet swaps the mounted
 * files atomically while the API server keeps calling. The clients trust the old and the new CA
 * (the caBundle during a rotation), dial 127.0.0.1 and verify the Service name.
 */
@QuarkusTest
@TestProfile(CertificateRotationTest.RotatingSecretVolume.class)
class CertificateRotationTest {

    static final String SERVICE = "first-ordinal.first-ordinal.svc";
    static final Duration RELOAD_PERIOD = Duration.ofSeconds(2);
    /** Bounds for the load: whichever comes first. */
    static final Duration MAX_LOAD = Duration.ofSeconds(40);
    static final int MAX_REQUESTS = 60_000;

    /** Two CAs with a serving certificate each; the server starts on the first, from a kubelet-style volume. */
    public static class RotatingSecretVolume implements QuarkusTestProfile {

        static final Path DIR = generate();

        private static synchronized Path generate() {
            String existing = System.getProperty("firstordinal-test.rotation-dir");
            if (existing != null) {
                return Path.of(existing);
            }
            try {
                Path dir = Files.createTempDirectory("first-ordinal-rotation");
                CertificateIssuer issuer = new CertificateIssuer();
                for (String generation : List.of("1", "2")) {
                    IssuedCertificate ca = issuer.certificateAuthority("rotation CA " + generation, Duration.ofDays(2), KeyType.EC_P256);
                    IssuedCertificate serving = issuer.servingCertificate(ca, List.of(SERVICE), List.of(), Duration.ofDays(1), KeyType.EC_P256);
                    PemFiles.writePublic(dir.resolve("ca" + generation + ".crt"), ca.certificatePem());
                    PemFiles.writePublic(dir.resolve("tls" + generation + ".crt"), serving.certificatePem());
                    PemFiles.writePrivate(dir.resolve("tls" + generation + ".key"), serving.privateKeyPem());
                }
                new SecretVolume(dir.resolve("volume")).write(secret(dir, "1", "1"));
                System.setProperty("firstordinal-test.rotation-dir", dir.toString());
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "first-ordinal.tls.cert-file", DIR.resolve("volume/tls.crt").toString(),
                    "first-ordinal.tls.key-file", DIR.resolve("volume/tls.key").toString(),
                    "first-ordinal.tls.reload-period", RELOAD_PERIOD.toSeconds() + "s");
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @Inject
    Vertx vertx;

    @Inject
    ServingCertificate serving;

    private final SecretVolume volume = new SecretVolume(RotatingSecretVolume.DIR.resolve("volume"));
    private final byte[] review = Fixtures.reviewBytes("ordinal-1-left-alone");

    static Map<String, String> secret(Path dir, String certificate, String key) throws IOException {
        return Map.of("tls.crt", Files.readString(dir.resolve("tls" + certificate + ".crt")),
                "tls.key", Files.readString(dir.resolve("tls" + key + ".key")));
    }

    private static Path ca(String generation) {
        return RotatingSecretVolume.DIR.resolve("ca" + generation + ".crt");
    }

    private static BigInteger serial(String generation) throws IOException {
        return Pem.certificate(Files.readString(RotatingSecretVolume.DIR.resolve("tls" + generation + ".crt"))).getSerialNumber();
    }

    private BigInteger servedToANewConnection() throws Exception {
        try (TlsClient client = TlsClient.trusting(vertx, false, 1, ca("1"), ca("2"))) {
            return client.post(mutate.getPort(), SERVICE, review).peer().getSerialNumber();
        }
    }

    /** Puts the first certificate back (if another test rotated it) and waits until it is served. */
    private void startFromTheFirstCertificate() throws Exception {
        volume.write(secret(RotatingSecretVolume.DIR, "1", "1"));
        long deadline = System.nanoTime() + RELOAD_PERIOD.multipliedBy(3).toNanos();
        while (!servedToANewConnection().equals(serial("1"))) {
            assertThat(System.nanoTime()).as("first certificate served again").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void servesTheNewCertificateAfterTheReloadPeriodWithoutFailingOneRequest() throws Exception {
        startFromTheFirstCertificate();
        BigInteger oldSerial = serial("1");
        BigInteger newSerial = serial("2");
        Load load = new Load();
        TlsClient keptAlive = TlsClient.trusting(vertx, true, 2, ca("1"), ca("2"));
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            workers.add(load.worker("new-connection-" + i, null));
            workers.add(load.worker("kept-alive-" + i, keptAlive));
        }
        try {
            workers.forEach(Thread::start);
            Thread.sleep(3000);
            assertThat(load.ok.get()).as("requests before the swap").isPositive();

            volume.write(secret(RotatingSecretVolume.DIR, "2", "2"));
            long swappedAt = System.nanoTime();
            load.swappedAt.set(swappedAt);

            long deadline = swappedAt + RELOAD_PERIOD.plusSeconds(10).toNanos();
            while (load.firstNewAt.get() == 0 && System.nanoTime() < deadline && !load.stopped()) {
                Thread.sleep(20);
            }
            Thread.sleep(2000);
        } finally {
            load.stop.set(true);
            for (Thread worker : workers) {
                worker.join(20_000);
            }
            keptAlive.close();
        }

        long newAfterMillis = Duration.ofNanos(load.firstNewAt.get() - load.swappedAt.get()).toMillis();
        System.out.printf("rotation under load: %d requests (%d on new connections), %d failed; new certificate served %d ms after "
                        + "the swap (reload period %d s)%n", load.ok.get() + load.failed.get(), load.freshRequests.get(),
                load.failed.get(), newAfterMillis, RELOAD_PERIOD.toSeconds());
        assertThat(load.failures).as("failed requests").isEmpty();
        assertThat(load.failed.get()).isZero();
        assertThat(load.firstNewAt.get()).as("new certificate seen by a new connection").isNotZero();
        // One period at most, plus slack for a loaded CI machine.
        assertThat(newAfterMillis).isLessThanOrEqualTo(RELOAD_PERIOD.plusSeconds(5).toMillis());
        assertThat(load.oldAfterNew.get()).as("new connections given the old certificate after the new one was served").isZero();
        assertThat(load.served).containsOnly(oldSerial, newSerial);
        assertThat(serving.current().map(X509Certificate::getSerialNumber)).contains(newSerial);
        try (TlsClient newCaOnly = TlsClient.trusting(vertx, false, 1, ca("2"))) {
            assertThat(newCaOnly.post(mutate.getPort(), SERVICE, review).status()).isEqualTo(200);
        }
        try (TlsClient oldCaOnly = TlsClient.trusting(vertx, false, 1, ca("1"))) {
            assertThatThrownBy(() -> oldCaOnly.post(mutate.getPort(), SERVICE, review))
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
        }
    }

    @Test
    void keepsServingTheCurrentCertificateWhenTheNewKeyDoesNotBelongToIt() throws Exception {
        startFromTheFirstCertificate();

        volume.write(secret(RotatingSecretVolume.DIR, "2", "1"));
        Thread.sleep(RELOAD_PERIOD.multipliedBy(2).plusMillis(500).toMillis());

        assertThat(servedToANewConnection()).isEqualTo(serial("1"));
        assertThat(serving.current().map(X509Certificate::getSerialNumber)).contains(serial("1"));

        volume.write(secret(RotatingSecretVolume.DIR, "2", "2"));
        long deadline = System.nanoTime() + RELOAD_PERIOD.plusSeconds(3).toNanos();
        while (!servedToANewConnection().equals(serial("2"))) {
            assertThat(System.nanoTime()).as("consistent pair served after the bad one").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Requests sent in a loop by a few threads, bounded in time and count, counting every failure. */
    private final class Load {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger freshRequests = new AtomicInteger();
        final AtomicInteger oldAfterNew = new AtomicInteger();
        final AtomicLong swappedAt = new AtomicLong();
        final AtomicLong firstNewAt = new AtomicLong();
        final AtomicReference<Boolean> stop = new AtomicReference<>(false);
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<BigInteger> served = new ConcurrentLinkedQueue<>();
        final long endAt = System.nanoTime() + MAX_LOAD.toNanos();

        boolean stopped() {
            return stop.get() || System.nanoTime() > endAt || ok.get() + failed.get() >= MAX_REQUESTS;
        }

        /** With {@code keptAlive} null, each request gets a new client: a new connection and a full handshake, no resumed session. */
        Thread worker(String name, TlsClient keptAlive) {
            boolean fresh = keptAlive == null;
            Thread thread = new Thread(() -> {
                while (!stopped()) {
                    long startedAt = System.nanoTime();
                    try {
                        TlsClient.Reply reply;
                        if (fresh) {
                            try (TlsClient client = TlsClient.trusting(vertx, false, 1, ca("1"), ca("2"))) {
                                reply = client.post(mutate.getPort(), SERVICE, review);
                            }
                        } else {
                            reply = keptAlive.post(mutate.getPort(), SERVICE, review);
                        }
                        if (reply.status() != 200 || !Fixtures.tree(reply.body()).at("/response/allowed").asBoolean()) {
                            throw new AssertionError("status " + reply.status());
                        }
                        ok.incrementAndGet();
                        BigInteger serial = reply.peer().getSerialNumber();
                        served.add(serial);
                        if (fresh) {
                            freshRequests.incrementAndGet();
                            recordFresh(serial, startedAt);
                        }
                    } catch (Exception | AssertionError e) {
                        failed.incrementAndGet();
                        if (failures.size() < 10) {
                            failures.add(name + ": " + e);
                        }
                    }
                }
            }, "rotation-load-" + name);
            thread.setDaemon(true);
            return thread;
        }

        private void recordFresh(BigInteger serial, long startedAt) {
            try {
                if (serial.equals(serial("2"))) {
                    firstNewAt.compareAndSet(0, System.nanoTime());
                } else if (firstNewAt.get() != 0 && startedAt > firstNewAt.get()) {
                    oldAfterNew.incrementAndGet();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
