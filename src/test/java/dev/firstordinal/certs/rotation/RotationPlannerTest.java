package dev.firstordinal.certs.rotation;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.ServiceDnsNames;
import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RotationPlannerTest {

    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    static final List<String> NAMES = ServiceDnsNames.of("first-ordinal", "first-ordinal", List.of());

    private final MutableClock clock = new MutableClock(START);

    /** Short CA life so that a CA rotation happens while the serving certificate is still valid. */
    private static RotationPolicy policy(Duration caValidity) {
        return new RotationPolicy(NAMES, KeyType.EC_P256, Duration.ofDays(365), caValidity, Duration.ofDays(30),
                Duration.ofDays(90), Duration.ofMinutes(5));
    }

    private final RotationPlanner planner = new RotationPlanner(policy(Duration.ofDays(3650)), clock);
    /** A CA that comes due (day 310) while its first serving certificate is still valid (until day 365). */
    private final RotationPlanner shortCa = new RotationPlanner(policy(Duration.ofDays(400)), clock);

    private static CertificateSecret secret(RotationPlan plan) {
        return CertificateSecret.parse(plan.secretData());
    }

    private static X509Certificate ca(CertificateSecret secret) {
        return secret.caCertificate().orElseThrow();
    }

    private static X509Certificate leaf(CertificateSecret secret) {
        return secret.serving().orElseThrow().leaf();
    }

    private static boolean trusts(List<X509Certificate> bundle, X509Certificate leaf) {
        return bundle.stream().anyMatch(ca -> {
            try {
                leaf.verify(ca.getPublicKey());
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void issuesACaAndAServingCertificateForAnEmptySecret() throws Exception {
        RotationPlan plan = planner.plan(CertificateSecret.empty(), List.of());

        CertificateSecret secret = secret(plan);
        assertThat(plan.secretChanged()).isTrue();
        assertThat(secret.problems()).isEmpty();
        leaf(secret).verify(ca(secret).getPublicKey());
        assertThat(leaf(secret).getSubjectAlternativeNames()).hasSize(4);
        assertThat(Pem.matches(secret.caKey().orElseThrow(), ca(secret))).isTrue();
        assertThat(plan.caBundle()).containsExactly(ca(secret));
        assertThat(secret.caBundle()).containsExactly(ca(secret));
        assertThat(plan.changes()).singleElement().asString().startsWith("no valid certificate in the Secret");
        assertThat(plan.nextEvent()).contains(START.plus(Duration.ofDays(365 - 30)));
    }

    @Test
    void changesNothingWhileEverythingIsValid() {
        RotationPlan first = planner.plan(CertificateSecret.empty(), List.of());
        clock.advance(Duration.ofDays(100));

        RotationPlan again = planner.plan(secret(first), first.caBundle());

        assertThat(again.secretChanged()).isFalse();
        assertThat(again.secretData()).isEqualTo(first.secretData());
        assertThat(again.changes()).isEmpty();
        assertThat(again.caBundle()).isEqualTo(first.caBundle());
    }

    @Test
    void renewsTheServingCertificateRenewBeforeExpiryFromTheSameCa() throws Exception {
        RotationPlan first = planner.plan(CertificateSecret.empty(), List.of());
        clock.set(START.plus(Duration.ofDays(365 - 30)));

        RotationPlan renewed = planner.plan(secret(first), first.caBundle());

        assertThat(renewed.secretChanged()).isTrue();
        assertThat(leaf(secret(renewed))).isNotEqualTo(leaf(secret(first)));
        leaf(secret(renewed)).verify(ca(secret(first)).getPublicKey());
        assertThat(renewed.secretData().get("ca.crt")).isEqualTo(first.secretData().get("ca.crt"));
        assertThat(renewed.secretData().get("ca.key")).isEqualTo(first.secretData().get("ca.key"));
        assertThat(renewed.caBundle()).isEqualTo(first.caBundle());
        assertThat(renewed.changes()).singleElement().asString().startsWith("renewed the serving certificate");
    }

    @Test
    void keepsTheServingCertificateADayBeforeItIsDue() {
        RotationPlan first = planner.plan(CertificateSecret.empty(), List.of());
        clock.set(START.plus(Duration.ofDays(365 - 31)));

        assertThat(planner.plan(secret(first), first.caBundle()).secretChanged()).isFalse();
    }

    @Test
    void capsTheServingCertificateAtTheCaExpiry() {
        RotationPlan first = shortCa.plan(CertificateSecret.empty(), List.of());
        Map<String, String> data = new HashMap<>(first.secretData());
        data.remove("tls.crt");
        data.remove("tls.key");
        clock.set(START.plus(Duration.ofDays(200)));

        RotationPlan plan = shortCa.plan(CertificateSecret.parse(data), first.caBundle());

        assertThat(leaf(secret(plan)).getNotAfter()).isEqualTo(ca(secret(first)).getNotAfter());
    }

    @Test
    void reissuesAServingCertificateThatLacksAName() {
        RotationPlan first = planner.plan(CertificateSecret.empty(), List.of());
        RotationPlanner withMoreNames = new RotationPlanner(new RotationPolicy(
                ServiceDnsNames.of("first-ordinal", "first-ordinal", List.of("hooks.example.org")), KeyType.EC_P256,
                Duration.ofDays(365), Duration.ofDays(400), Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(5)), clock);

        RotationPlan plan = withMoreNames.plan(secret(first), first.caBundle());

        assertThat(plan.secretChanged()).isTrue();
        assertThat(plan.secretData().get("ca.crt")).isEqualTo(first.secretData().get("ca.crt"));
        assertThat(leaf(secret(plan)).toString()).contains("hooks.example.org");
    }

    @Test
    void reissuesWhenTheServingKeyDoesNotBelongToTheCertificate() {
        RotationPlan first = planner.plan(CertificateSecret.empty(), List.of());
        Map<String, String> data = new HashMap<>(first.secretData());
        data.put("tls.key", data.get("ca.key"));

        RotationPlan plan = planner.plan(CertificateSecret.parse(data), first.caBundle());

        assertThat(plan.changes()).first().asString().startsWith("ignoring damaged Secret entry tls.crt/tls.key");
        assertThat(secret(plan).serving()).isPresent();
        assertThat(plan.secretData().get("ca.crt")).isEqualTo(first.secretData().get("ca.crt"));
    }

    @Test
    void rotatesTheCaInStagesKeepingBothCasTrustedThroughout() throws Exception {
        RotationPlan first = shortCa.plan(CertificateSecret.empty(), List.of());
        X509Certificate oldCa = ca(secret(first));
        X509Certificate oldLeaf = leaf(secret(first));
        clock.set(START.plus(Duration.ofDays(400 - 90)));

        RotationPlan staged = shortCa.plan(secret(first), List.of(oldCa));

        X509Certificate newCa = secret(staged).nextCaCertificate().orElseThrow();
        assertThat(staged.caBundle()).containsExactly(oldCa, newCa);
        assertThat(leaf(secret(staged))).as("serving certificate unchanged while the new CA propagates").isEqualTo(oldLeaf);
        assertThat(ca(secret(staged))).isEqualTo(oldCa);
        assertThat(staged.changes()).singleElement().asString().contains("staged the new CA");

        RotationPlan notYetTrusted = shortCa.plan(secret(staged), List.of(oldCa));
        assertThat(notYetTrusted.secretChanged()).as("waits until the webhook configuration trusts the new CA").isFalse();

        clock.advance(Duration.ofMinutes(1));
        RotationPlan propagating = shortCa.plan(secret(staged), staged.caBundle());
        assertThat(propagating.secretChanged()).as("waits ca-propagation-delay").isFalse();
        assertThat(propagating.nextEvent()).contains(CertificateIssuer.createdAt(newCa).plus(Duration.ofMinutes(5)));

        clock.set(propagating.nextEvent().orElseThrow());
        RotationPlan switched = shortCa.plan(secret(staged), staged.caBundle());
        assertThat(ca(secret(switched))).isEqualTo(newCa);
        leaf(secret(switched)).verify(newCa.getPublicKey());
        assertThat(secret(switched).nextCaCertificate()).isEmpty();
        assertThat(switched.secretData()).doesNotContainKeys("next-ca.crt", "next-ca.key");
        assertThat(switched.caBundle()).as("old CA kept for replicas still serving the old certificate").containsExactly(newCa, oldCa);
        assertThat(trusts(switched.caBundle(), oldLeaf)).isTrue();

        assertThat(shortCa.plan(secret(switched), switched.caBundle()).secretChanged()).isFalse();

        clock.set(oldCa.getNotAfter().toInstant().plusSeconds(1));
        RotationPlan afterOldCaExpired = shortCa.plan(secret(switched), switched.caBundle());
        assertThat(afterOldCaExpired.caBundle()).containsExactly(newCa);
        assertThat(afterOldCaExpired.changes()).contains("dropped expired CA certificates from the caBundle");
    }

    @Test
    void takesOverASecretWithoutCaKeyByStagingANewCa() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer(clock);
        IssuedCertificate foreignCa = issuer.certificateAuthority("cert-manager CA", Duration.ofDays(3650), KeyType.RSA_2048);
        IssuedCertificate serving = issuer.servingCertificate(foreignCa, NAMES, List.of(), Duration.ofDays(90), KeyType.RSA_2048);
        CertificateSecret fromCertManager = CertificateSecret.parse(Map.of("tls.crt", serving.certificatePem(),
                "tls.key", serving.privateKeyPem(), "ca.crt", foreignCa.certificatePem()));

        RotationPlan staged = planner.plan(fromCertManager, List.of(foreignCa.certificate()));

        X509Certificate newCa = secret(staged).nextCaCertificate().orElseThrow();
        assertThat(staged.secretData().get("tls.crt")).isEqualTo(serving.certificatePem());
        assertThat(staged.caBundle()).containsExactly(foreignCa.certificate(), newCa);
        assertThat(staged.changes()).singleElement().asString().contains("no usable CA key");

        clock.advance(Duration.ofMinutes(6));
        RotationPlan switched = planner.plan(secret(staged), staged.caBundle());
        leaf(secret(switched)).verify(newCa.getPublicKey());
        assertThat(secret(switched).caKey()).isPresent();
        assertThat(switched.caBundle()).containsExactly(newCa, foreignCa.certificate());
    }

    @Test
    void renewsFromTheCurrentCaWhileTheNewCaPropagates() {
        RotationPlan first = shortCa.plan(CertificateSecret.empty(), List.of());
        clock.set(START.plus(Duration.ofDays(400 - 90)));
        RotationPlan staged = shortCa.plan(secret(first), List.of(ca(secret(first))));
        clock.set(START.plus(Duration.ofDays(365 - 30)));

        RotationPlan renewed = shortCa.plan(secret(staged), List.of(ca(secret(first))));

        assertThat(ca(secret(renewed))).isEqualTo(ca(secret(first)));
        assertThat(leaf(secret(renewed))).isNotEqualTo(leaf(secret(first)));
        assertThat(secret(renewed).nextCaCertificate()).isEqualTo(secret(staged).nextCaCertificate());
    }

    @Test
    void switchesAtOnceWhenNothingValidCanBeServed() {
        RotationPlan first = shortCa.plan(CertificateSecret.empty(), List.of());
        clock.set(START.plus(Duration.ofDays(400 - 90)));
        RotationPlan staged = shortCa.plan(secret(first), List.of(ca(secret(first))));
        Map<String, String> lost = new HashMap<>(staged.secretData());
        lost.remove("ca.key");
        lost.remove("tls.key");

        RotationPlan plan = shortCa.plan(CertificateSecret.parse(lost), List.of(ca(secret(first))));

        assertThat(ca(secret(plan))).isEqualTo(secret(staged).nextCaCertificate().orElseThrow());
        assertThat(plan.changes()).anyMatch(change -> change.contains("switched at once"));
    }

    @Test
    void dropsAStagedCaWhoseKeyIsNotItsOwn() {
        RotationPlan first = planner.plan(CertificateSecret.empty(), List.of());
        Map<String, String> data = new HashMap<>(first.secretData());
        IssuedCertificate stray = new CertificateIssuer(clock).certificateAuthority("stray", Duration.ofDays(10), KeyType.EC_P256);
        data.put("next-ca.crt", stray.certificatePem());
        data.put("next-ca.key", first.secretData().get("ca.key"));

        RotationPlan plan = planner.plan(CertificateSecret.parse(data), first.caBundle());

        assertThat(plan.secretData()).doesNotContainKeys("next-ca.crt", "next-ca.key");
        assertThat(plan.caBundle()).containsExactly(ca(secret(first)));
    }

    @Test
    void rejectsDurationsThatCannotWorkTogether() {
        assertThatThrownBy(() -> new RotationPolicy(NAMES, KeyType.EC_P256, Duration.ofDays(30), Duration.ofDays(3650),
                Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(5)))
                .hasMessage("first-ordinal.tls.renew-before (30d) must be shorter than first-ordinal.tls.validity (30d)");
        assertThatThrownBy(() -> new RotationPolicy(NAMES, KeyType.EC_P256, Duration.ofDays(365), Duration.ofDays(90),
                Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(5))).hasMessageContaining("ca-renew-before");
        assertThatThrownBy(() -> new RotationPolicy(NAMES, KeyType.EC_P256, Duration.ofDays(365), Duration.ofDays(3650),
                Duration.ofDays(30), Duration.ofDays(20), Duration.ofMinutes(5))).hasMessageContaining("ca-renew-before");
        assertThatThrownBy(() -> new RotationPolicy(NAMES, KeyType.EC_P256, Duration.ZERO, Duration.ofDays(3650),
                Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(5))).hasMessageContaining("validity");
    }

    /**
     * Years of operation in random steps, the way the leader applies plans: patch the caBundle (which
     * sometimes fails: then the Secret is left alone), then write the Secret. An API server may still
     * hold the caBundle from before the patch, and replicas may still serve the previous certificate.
     * So every new serving certificate must be trusted by the caBundle from before, and every
     * certificate still served by the caBundle after.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 42, 2025})
    void everyServedCertificateIsTrustedByTheCaBundleAtEveryStep(long seed) {
        Random random = new Random(seed);
        RotationPlanner shortLived = new RotationPlanner(new RotationPolicy(NAMES, KeyType.EC_P256, Duration.ofDays(60),
                Duration.ofDays(200), Duration.ofDays(20), Duration.ofDays(50), Duration.ofMinutes(5)), clock);
        CertificateSecret secret = CertificateSecret.empty();
        List<X509Certificate> webhook = List.of();
        List<ServingPair> served = new ArrayList<>();
        int caSwitches = 0;
        int renewals = 0;
        for (int step = 0; step < 200; step++) {
            clock.advance(Duration.ofMinutes(1 + random.nextInt(60 * 24 * 12)));
            RotationPlan plan = shortLived.plan(secret, webhook);
            if (random.nextInt(10) == 0) {
                continue;
            }
            List<X509Certificate> webhookBefore = webhook;
            webhook = plan.caBundle();
            if (!plan.secretChanged()) {
                continue;
            }
            X509Certificate caBefore = secret.caCertificate().orElse(null);
            X509Certificate leafBefore = secret.serving().map(ServingPair::leaf).orElse(null);
            secret = CertificateSecret.parse(plan.secretData());
            ServingPair serving = secret.serving().orElseThrow();
            if (caBefore != null && !caBefore.equals(secret.caCertificate().orElseThrow())) {
                caSwitches++;
            }
            if (leafBefore != null && !leafBefore.equals(serving.leaf())) {
                renewals++;
            }
            if (!webhookBefore.isEmpty()) {
                assertThat(trusts(webhookBefore, serving.leaf())).as("step %d: new certificate trusted by the caBundle before the patch", step).isTrue();
            }
            served.add(0, serving);
            served.removeIf(pair -> !clock.instant().isBefore(pair.notAfter()));
            if (served.size() > 2) {
                served.subList(2, served.size()).clear();
            }
            for (ServingPair pair : served) {
                assertThat(trusts(webhook, pair.leaf())).as("step %d: served certificate trusted after the patch", step).isTrue();
            }
        }
        assertThat(caSwitches).as("CA rotations exercised").isGreaterThanOrEqualTo(3);
        assertThat(renewals).as("serving renewals exercised").isGreaterThan(caSwitches);
    }
}
