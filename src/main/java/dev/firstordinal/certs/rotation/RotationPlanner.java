package dev.firstordinal.certs.rotation;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.ServingPair;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Decides, from what the Secret and the webhook configuration hold now, what they must hold: the
 * one place that knows how self-managed certificates are issued, renewed and rotated. Pure: it reads
 * the clock, issues certificates in memory, and returns a {@link RotationPlan}.
 *
 * <p>The rules, which keep every API server call working through any change:
 * <ol>
 *   <li>No Secret, or nothing valid in it: a new CA and serving certificate (a first install).</li>
 *   <li>The serving certificate is missing, expired, lacks a name, or is within {@code renew-before}
 *       of expiry: a new one from the same CA. The caBundle does not change, so there is no race.</li>
 *   <li>The CA is within {@code ca-renew-before} of expiry, or its key is missing (a Secret made by the
 *       certs command or cert-manager): a new CA is <em>staged</em> next to the current one in the
 *       caBundle, while the serving certificate stays as it is.</li>
 *   <li>Once the webhook configuration trusts the staged CA and {@code ca-propagation-delay} has
 *       passed, the serving certificate switches to it. The old CA stays in the caBundle until it
 *       expires, so replicas still serving the old certificate keep working.</li>
 * </ol>
 * A serving certificate is never signed by a CA the webhook configuration may not trust yet (the
 * race behind cert-manager#6350), except when nothing valid exists to serve.
 */
public final class RotationPlanner {

    private final RotationPolicy policy;
    private final Clock clock;
    private final CertificateIssuer issuer;

    public RotationPlanner(RotationPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
        this.issuer = new CertificateIssuer(clock);
    }

    /**
     * @param current       what the Secret holds (empty when there is no Secret)
     * @param webhookTrusts the CA certificates in the webhook configuration's caBundle now (empty when absent)
     */
    public RotationPlan plan(CertificateSecret current, List<X509Certificate> webhookTrusts) {
        Instant now = clock.instant();
        Optional<IssuedCertificate> signing = usableCa(current.caCertificate(), current.caKey(), now);
        Optional<IssuedCertificate> next = usableCa(current.nextCaCertificate(), current.nextCaKey(), now);
        Draft draft = new Draft(current, signing, next);
        current.problems().forEach(problem -> draft.changes.add("ignoring damaged Secret entry " + problem));
        Optional<X509Certificate> knownCa = current.caCertificate().filter(ca -> now.isBefore(notAfter(ca)));
        Optional<ServingPair> serving = current.serving().filter(pair -> isValid(pair, now) && carriesAllNames(pair));
        Optional<X509Certificate> servingCa = signing.map(IssuedCertificate::certificate).or(() -> knownCa);
        boolean servingUsable = serving.isPresent() && servingCa.map(ca -> signedBy(serving.get(), ca)).orElse(false);
        Instant switchAt = null;

        if (next.isPresent()) {
            switchAt = CertificateIssuer.createdAt(next.get().certificate()).plus(policy.caPropagationDelay());
            boolean trusted = contains(webhookTrusts, next.get().certificate());
            boolean propagated = trusted && !now.isBefore(switchAt);
            if (propagated || (!servingUsable && signing.isEmpty())) {
                draft.changes.add((propagated ? "switched to the new CA " : "no usable serving certificate or CA key: switched at once to the staged CA ")
                        + describe(next.get().certificate()) + (propagated ? ", trusted by the webhook configuration" : ""));
                knownCa.ifPresent(draft.retired::add);
                draft.setCa(next.get());
                draft.setServing(issueServing(next.get(), now));
                draft.setNext(Optional.empty());
                switchAt = null;
            } else {
                if (!trusted) {
                    switchAt = null;
                }
                if (signing.isPresent() && (!servingUsable || needsRenewal(serving.get(), now))) {
                    draft.setServing(issueServing(signing.get(), now));
                    draft.changes.add("issued a serving certificate from the current CA while the new CA propagates: "
                            + describe(draft.serving().leaf()));
                }
            }
        } else if (signing.isPresent()) {
            IssuedCertificate ca = signing.get();
            if (!now.isBefore(notAfter(ca.certificate()).minus(policy.caRenewBefore()))) {
                IssuedCertificate staged = newCa(now);
                if (servingUsable) {
                    draft.setNext(Optional.of(staged));
                    draft.changes.add("CA " + describe(ca.certificate()) + " is due for renewal: staged the new CA " + describe(staged.certificate())
                            + " in the caBundle; the serving certificate switches to it " + RotationPolicy.format(policy.caPropagationDelay())
                            + " after the webhook configuration trusts it");
                    if (needsRenewal(serving.get(), now)) {
                        draft.setServing(issueServing(ca, now));
                    }
                } else {
                    draft.retired.add(ca.certificate());
                    draft.setCa(staged);
                    draft.setServing(issueServing(staged, now));
                    draft.changes.add("CA " + describe(ca.certificate()) + " is due for renewal and there is no usable serving certificate: "
                            + "issued the new CA " + describe(staged.certificate()) + " and a serving certificate");
                }
            } else if (!servingUsable || needsRenewal(serving.get(), now)) {
                draft.setServing(issueServing(ca, now));
                draft.changes.add((servingUsable ? "renewed the serving certificate: " : "issued a serving certificate: ")
                        + describe(draft.serving().leaf()));
            }
        } else if (servingUsable) {
            IssuedCertificate staged = newCa(now);
            draft.setNext(Optional.of(staged));
            draft.changes.add("the Secret has no usable CA key (made by the certs command, cert-manager or by hand): staged the new CA "
                    + describe(staged.certificate()) + " next to " + describe(knownCa.orElseThrow())
                    + "; the serving certificate switches to it once the webhook configuration trusts it");
        } else {
            IssuedCertificate ca = newCa(now);
            knownCa.ifPresent(draft.retired::add);
            draft.setCa(ca);
            draft.setServing(issueServing(ca, now));
            draft.changes.add("no valid certificate in the Secret: issued the CA " + describe(ca.certificate()) + " and a serving certificate");
        }
        return draft.plan(now, switchAt);
    }

    private Optional<IssuedCertificate> usableCa(Optional<X509Certificate> certificate, Optional<java.security.PrivateKey> key, Instant now) {
        if (certificate.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate ca = certificate.get();
        boolean usable = ca.getBasicConstraints() >= 0 && now.isBefore(notAfter(ca)) && Pem.matches(key.get(), ca);
        return usable ? Optional.of(new IssuedCertificate(ca, key.get())) : Optional.empty();
    }

    private IssuedCertificate newCa(Instant now) {
        return issuer.certificateAuthority(CertificateIssuer.caCommonName(now), policy.caValidity(), policy.keyType());
    }

    private ServingPair issueServing(IssuedCertificate ca, Instant now) {
        Duration untilCaExpires = Duration.between(now, notAfter(ca.certificate()));
        Duration validity = policy.validity().compareTo(untilCaExpires) < 0 ? policy.validity() : untilCaExpires;
        IssuedCertificate serving = issuer.servingCertificate(ca, policy.dnsNames(), List.of(), validity, policy.keyType());
        return new ServingPair(List.of(serving.certificate()), serving.privateKey());
    }

    private boolean needsRenewal(ServingPair pair, Instant now) {
        return !now.isBefore(pair.notAfter().minus(policy.renewBefore()));
    }

    private static boolean isValid(ServingPair pair, Instant now) {
        return !now.isBefore(pair.notBefore()) && now.isBefore(pair.notAfter());
    }

    private boolean carriesAllNames(ServingPair pair) {
        try {
            List<String> names = new ArrayList<>();
            if (pair.leaf().getSubjectAlternativeNames() != null) {
                pair.leaf().getSubjectAlternativeNames().stream().filter(name -> (Integer) name.get(0) == 2)
                        .forEach(name -> names.add(String.valueOf(name.get(1)).toLowerCase(java.util.Locale.ROOT)));
            }
            return names.containsAll(policy.dnsNames());
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    private static boolean signedBy(ServingPair pair, X509Certificate ca) {
        try {
            pair.leaf().verify(ca.getPublicKey());
            return pair.leaf().getIssuerX500Principal().equals(ca.getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean contains(List<X509Certificate> certificates, X509Certificate wanted) {
        return certificates.stream().anyMatch(certificate -> sameCertificate(certificate, wanted));
    }

    static boolean sameCertificate(X509Certificate a, X509Certificate b) {
        try {
            return Arrays.equals(a.getEncoded(), b.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            return false;
        }
    }

    /** Whether two caBundles hold the same certificates, in any order. */
    public static boolean sameCertificates(List<X509Certificate> a, List<X509Certificate> b) {
        return a.stream().allMatch(certificate -> contains(b, certificate)) && b.stream().allMatch(certificate -> contains(a, certificate));
    }

    private static Instant notAfter(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant();
    }

    private static String describe(X509Certificate certificate) {
        return "'" + certificate.getSubjectX500Principal().getName().replaceFirst("^CN=", "") + "' (valid until " + notAfter(certificate) + ")";
    }

    /** The Secret being worked out: unchanged entries stay byte for byte as read. */
    private final class Draft {
        final CertificateSecret current;
        final List<String> changes = new ArrayList<>();
        final List<X509Certificate> retired = new ArrayList<>();
        private final Map<String, String> data;
        private Optional<X509Certificate> ca;
        private ServingPair serving;
        private Optional<X509Certificate> next;
        private Optional<java.security.PrivateKey> caKey;

        /** Starts from the Secret as read, without a CA key or a staged CA that cannot sign (wrong pair, expired). */
        Draft(CertificateSecret current, Optional<IssuedCertificate> signing, Optional<IssuedCertificate> next) {
            this.current = current;
            this.data = new LinkedHashMap<>(current.raw());
            this.ca = current.caCertificate();
            this.caKey = signing.map(IssuedCertificate::privateKey);
            this.serving = current.serving().orElse(null);
            this.next = next.map(IssuedCertificate::certificate);
            if (signing.isEmpty() && data.remove(CertificateSecret.CA_KEY) != null) {
                changes.add("removed a CA key that cannot sign (expired or not the key of ca.crt)");
            }
            if (next.isEmpty() && (data.remove(CertificateSecret.NEXT_CA_CRT) != null | data.remove(CertificateSecret.NEXT_CA_KEY) != null)) {
                changes.add("dropped a staged CA that cannot sign (expired or not a pair)");
            }
        }

        ServingPair serving() {
            return serving;
        }

        void setCa(IssuedCertificate issued) {
            ca = Optional.of(issued.certificate());
            caKey = Optional.of(issued.privateKey());
            data.put(CertificateSecret.CA_CRT, issued.certificatePem());
            data.put(CertificateSecret.CA_KEY, issued.privateKeyPem());
        }

        void setServing(ServingPair pair) {
            serving = pair;
            data.put(CertificateSecret.TLS_CRT, Pem.encode(pair.chain()));
            data.put(CertificateSecret.TLS_KEY, new IssuedCertificate(pair.leaf(), pair.key()).privateKeyPem());
        }

        void setNext(Optional<IssuedCertificate> staged) {
            next = staged.map(IssuedCertificate::certificate);
            if (staged.isPresent()) {
                data.put(CertificateSecret.NEXT_CA_CRT, staged.get().certificatePem());
                data.put(CertificateSecret.NEXT_CA_KEY, staged.get().privateKeyPem());
            } else {
                data.remove(CertificateSecret.NEXT_CA_CRT);
                data.remove(CertificateSecret.NEXT_CA_KEY);
            }
        }

        RotationPlan plan(Instant now, Instant switchAt) {
            List<X509Certificate> bundle = new ArrayList<>();
            ca.ifPresent(certificate -> add(bundle, certificate, now));
            next.ifPresent(certificate -> add(bundle, certificate, now));
            retired.forEach(certificate -> add(bundle, certificate, now));
            current.caBundle().forEach(certificate -> add(bundle, certificate, now));
            if (!bundle.equals(current.caBundle()) || !current.raw().containsKey(CertificateSecret.CA_BUNDLE)) {
                boolean dropped = current.caBundle().stream().anyMatch(certificate -> !contains(bundle, certificate));
                if (dropped) {
                    changes.add("dropped expired CA certificates from the caBundle");
                }
                data.put(CertificateSecret.CA_BUNDLE, Pem.encode(bundle));
            }
            List<Instant> events = new ArrayList<>();
            if (serving != null) {
                events.add(serving.notAfter().minus(policy.renewBefore()));
            }
            if (caKey.isPresent()) {
                ca.ifPresent(certificate -> events.add(notAfter(certificate).minus(policy.caRenewBefore())));
            }
            if (switchAt != null) {
                events.add(switchAt);
            }
            bundle.forEach(certificate -> events.add(notAfter(certificate)));
            Optional<Instant> nextEvent = events.stream().filter(now::isBefore).min(Comparator.naturalOrder());
            return new RotationPlan(data, !data.equals(current.raw()), bundle, changes, nextEvent);
        }

        private void add(List<X509Certificate> bundle, X509Certificate certificate, Instant now) {
            if (now.isBefore(notAfter(certificate)) && !contains(bundle, certificate)) {
                bundle.add(certificate);
            }
        }
    }
}
