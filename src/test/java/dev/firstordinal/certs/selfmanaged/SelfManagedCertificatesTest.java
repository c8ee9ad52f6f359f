package dev.firstordinal.certs.selfmanaged;

import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.ServiceDnsNames;
import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.certs.rotation.CertificateSecret;
import dev.firstordinal.certs.rotation.RotationPlanner;
import dev.firstordinal.certs.rotation.RotationPolicy;
import dev.firstordinal.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Self-managed mode against the fabric8 mock API server (CRUD): Secret, caBundle, renewal, rotation, two replicas. */
@EnableKubernetesMockClient(crud = true)
class SelfManagedCertificatesTest {

    static KubernetesClient client;

    static final String NAMESPACE = "first-ordinal";
    static final String SECRET = "first-ordinal-tls";
    static final String WEBHOOK = "first-ordinal";
    static final String LEASE = "first-ordinal-tls";
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final List<SelfManagedCertificates> replicas = new ArrayList<>();
    private final Map<String, List<ServingPair>> servedBy = new LinkedHashMap<>();

    @BeforeEach
    void freshCluster() {
        client.secrets().inNamespace(NAMESPACE).withName(SECRET).delete();
        client.leases().inNamespace(NAMESPACE).withName(LEASE).delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(webhookConfiguration()).create();
    }

    @AfterEach
    void stopReplicas() {
        replicas.forEach(SelfManagedCertificates::close);
    }

    static MutatingWebhookConfiguration webhookConfiguration() {
        return new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(WEBHOOK).endMetadata()
                .addNewWebhook()
                .withName("pods.first-ordinal.dev")
                .withNewClientConfig().withNewService().withName("first-ordinal").withNamespace(NAMESPACE).withPath("/mutate")
                .withPort(443).endService().endClientConfig()
                .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Ignore")
                .endWebhook()
                .build();
    }

    private SelfManagedCertificates replica(String identity) {
        return replica(identity, Duration.ofDays(3650));
    }

    /** With a CA valid 400 days, its rotation (day 310) comes while the first serving certificate (to day 365) is valid. */
    private SelfManagedCertificates replica(String identity, Duration caValidity) {
        RotationPolicy policy = new RotationPolicy(ServiceDnsNames.of("first-ordinal", NAMESPACE, List.of()), KeyType.EC_P256,
                Duration.ofDays(365), caValidity, Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(5));
        List<ServingPair> served = new CopyOnWriteArrayList<>();
        servedBy.put(identity, served);
        SelfManagedCertificates replica = new SelfManagedCertificates(client,
                new SelfManagedCertificates.Settings(NAMESPACE, SECRET, WEBHOOK, LEASE, identity, Duration.ofHours(1),
                        Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500)),
                new RotationPlanner(policy, clock), clock, served::add);
        replicas.add(replica);
        replica.start();
        return replica;
    }

    private static Secret secret() {
        return client.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
    }

    private static CertificateSecret secretContents() {
        Map<String, String> pem = new LinkedHashMap<>();
        secret().getData().forEach((key, value) -> pem.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII)));
        return CertificateSecret.parse(pem);
    }

    private static MutatingWebhookConfiguration webhook() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).get();
    }

    private static List<X509Certificate> caBundle() {
        String bundle = webhook().getWebhooks().get(0).getClientConfig().getCaBundle();
        return bundle == null ? List.of() : Pem.certificates(new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII));
    }

    private static String leaseHolder() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private SelfManagedCertificates leaderWithSecret(String identity) throws InterruptedException {
        return leaderWithSecret(identity, Duration.ofDays(3650));
    }

    private SelfManagedCertificates leaderWithSecret(String identity, Duration caValidity) throws InterruptedException {
        SelfManagedCertificates replica = replica(identity, caValidity);
        await("the Secret", () -> secret() != null && replica.served().isPresent());
        return replica;
    }

    @Test
    void createsTheSecretPatchesTheCaBundleAndServesTheCertificate() throws Exception {
        SelfManagedCertificates leader = leaderWithSecret("replica-a");

        assertThat(leader.isLeader()).isTrue();
        assertThat(leaseHolder()).isEqualTo("replica-a");
        assertThat(secret().getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret().getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "first-ordinal");
        CertificateSecret contents = secretContents();
        X509Certificate ca = contents.caCertificate().orElseThrow();
        ServingPair serving = contents.serving().orElseThrow();
        serving.leaf().verify(ca.getPublicKey());
        assertThat(serving.leaf().getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))))
                .contains("first-ordinal.first-ordinal.svc");
        assertThat(caBundle()).containsExactly(ca);
        assertThat(servedBy.get("replica-a")).last().isEqualTo(serving);
    }

    @Test
    void leavesAValidSecretAndCaBundleAlone() throws Exception {
        SelfManagedCertificates leader = leaderWithSecret("replica-a");
        String secretVersion = secret().getMetadata().getResourceVersion();
        String webhookVersion = webhook().getMetadata().getResourceVersion();
        clock.advance(Duration.ofDays(100));

        leader.reconcileNow().get(10, TimeUnit.SECONDS);
        leader.reconcileNow().get(10, TimeUnit.SECONDS);

        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(secretVersion);
        assertThat(webhook().getMetadata().getResourceVersion()).isEqualTo(webhookVersion);
    }

    @Test
    void renewsTheServingCertificateNearExpiryWithoutTouchingTheCaBundle() throws Exception {
        SelfManagedCertificates leader = leaderWithSecret("replica-a");
        ServingPair first = secretContents().serving().orElseThrow();
        String webhookVersion = webhook().getMetadata().getResourceVersion();
        clock.set(first.notAfter().minus(Duration.ofDays(30)));

        leader.reconcileNow().get(10, TimeUnit.SECONDS);

        ServingPair renewed = secretContents().serving().orElseThrow();
        assertThat(renewed.leaf()).isNotEqualTo(first.leaf());
        renewed.leaf().verify(secretContents().caCertificate().orElseThrow().getPublicKey());
        assertThat(webhook().getMetadata().getResourceVersion()).isEqualTo(webhookVersion);
        await("the renewed certificate served", () -> leader.served().orElseThrow().equals(renewed));
    }

    @Test
    void rotatesTheCaKeepingBothCasInTheCaBundle() throws Exception {
        SelfManagedCertificates leader = leaderWithSecret("replica-a", Duration.ofDays(400));
        X509Certificate oldCa = secretContents().caCertificate().orElseThrow();
        ServingPair oldServing = secretContents().serving().orElseThrow();
        clock.set(START.plus(Duration.ofDays(400 - 90)));

        leader.reconcileNow().get(10, TimeUnit.SECONDS);

        X509Certificate newCa = secretContents().nextCaCertificate().orElseThrow();
        assertThat(caBundle()).as("new CA trusted before anything is signed by it").containsExactlyInAnyOrder(oldCa, newCa);
        assertThat(secretContents().serving()).contains(oldServing);

        clock.advance(Duration.ofMinutes(6));
        leader.reconcileNow().get(10, TimeUnit.SECONDS);

        ServingPair switched = secretContents().serving().orElseThrow();
        switched.leaf().verify(newCa.getPublicKey());
        assertThat(secretContents().caCertificate()).contains(newCa);
        assertThat(caBundle()).as("old CA kept during the overlap").containsExactlyInAnyOrder(newCa, oldCa);
        await("the new certificate served", () -> leader.served().orElseThrow().equals(switched));
    }

    @Test
    void patchesAWebhookConfigurationCreatedAfterTheSecret() throws Exception {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).delete();
        await("the webhook configuration gone", () -> webhook() == null);
        leaderWithSecret("replica-a");
        X509Certificate ca = secretContents().caCertificate().orElseThrow();

        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(webhookConfiguration()).create();

        await("the caBundle of the new webhook configuration", () -> caBundle().contains(ca));
    }

    @Test
    void restoresACaBundleSomeoneRemoved() throws Exception {
        leaderWithSecret("replica-a");
        X509Certificate ca = secretContents().caCertificate().orElseThrow();

        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).edit(configuration -> {
            configuration.getWebhooks().get(0).getClientConfig().setCaBundle(null);
            return configuration;
        });

        await("the caBundle restored", () -> caBundle().contains(ca));
    }

    @Test
    void aSecondReplicaServesTheLeadersCertificateAndDoesNotFightIt() throws Exception {
        SelfManagedCertificates leader = leaderWithSecret("replica-a");
        String secretVersion = secret().getMetadata().getResourceVersion();
        String webhookVersion = webhook().getMetadata().getResourceVersion();
        ServingPair serving = secretContents().serving().orElseThrow();

        SelfManagedCertificates second = replica("replica-b");
        await("replica-b serving the leader's certificate", () -> second.served().map(serving::equals).orElse(false));
        Thread.sleep(2000);
        second.reconcileNow().get(10, TimeUnit.SECONDS);

        assertThat(second.isLeader()).isFalse();
        assertThat(leaseHolder()).isEqualTo("replica-a");
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(secretVersion);
        assertThat(webhook().getMetadata().getResourceVersion()).isEqualTo(webhookVersion);

        leader.close();
        await("replica-b taking over the Lease", second::isLeader);
        second.reconcileNow().get(10, TimeUnit.SECONDS);

        assertThat(leaseHolder()).isEqualTo("replica-b");
        assertThat(secret().getMetadata().getResourceVersion()).as("a valid Secret is left alone").isEqualTo(secretVersion);
        assertThat(webhook().getMetadata().getResourceVersion()).isEqualTo(webhookVersion);
        assertThat(servedBy.get("replica-b")).containsExactly(serving);
    }

    @Test
    void everyReplicaServesACertificateWrittenToTheSecret() throws Exception {
        SelfManagedCertificates leader = leaderWithSecret("replica-a");
        SelfManagedCertificates second = replica("replica-b");
        await("replica-b serving", () -> second.served().isPresent());
        ServingPair before = secretContents().serving().orElseThrow();
        clock.set(before.notAfter().minus(Duration.ofDays(29)));

        leader.reconcileNow().get(10, TimeUnit.SECONDS);

        ServingPair renewed = secretContents().serving().orElseThrow();
        assertThat(renewed).isNotEqualTo(before);
        await("both replicas serving the renewed certificate", () -> leader.served().orElseThrow().equals(renewed)
                && second.served().orElseThrow().equals(renewed));
    }
}
