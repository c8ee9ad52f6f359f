package dev.firstordinal.certs;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Makes a CA and the serving certificates it signs, with BouncyCastle. Pure: no files, no network.
 *
 * <p>Certificates start five minutes in the past, so that a node whose clock runs slightly behind
 * still accepts a certificate made a moment ago.
 */
public final class CertificateIssuer {

    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;

    public CertificateIssuer() {
        this(Clock.systemUTC());
    }

    public CertificateIssuer(Clock clock) {
        this.clock = clock;
    }

    /** A CA name that tells generations apart: {@code first-ordinal CA 20250601T120000Z}. */
    public static String caCommonName(Instant createdAt) {
        return "first-ordinal CA " + createdAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replaceAll("[-:]", "");
    }

    /** When a certificate this issuer made was created: its notBefore is backdated by {@link #BACKDATE}. */
    public static Instant createdAt(X509Certificate certificate) {
        return certificate.getNotBefore().toInstant().plus(BACKDATE);
    }

    /** A self-signed CA that may sign serving certificates only (path length 0). */
    public IssuedCertificate certificateAuthority(String commonName, Duration validity, KeyType keyType) {
        KeyPair keys = keyPair(keyType);
        X500Name subject = new X500Name("CN=" + commonName);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, validity, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return new IssuedCertificate(sign(builder, keys, keyType), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create CA certificate", e);
        }
    }

    /**
     * A TLS server certificate signed by {@code ca}, for the given DNS names and IP addresses
     * (subject alternative names), with the serverAuth extended key usage.
     */
    public IssuedCertificate servingCertificate(IssuedCertificate ca, List<String> dnsNames, List<String> ipAddresses,
                                                Duration validity, KeyType keyType) {
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name or IP address");
        }
        KeyPair keys = keyPair(keyType);
        String commonName = dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0);
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        int usage = KeyUsage.digitalSignature | (keyType == KeyType.RSA_2048 ? KeyUsage.keyEncipherment : 0);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(
                    X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                    new X500Name("CN=" + commonName), validity, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca.certificate()));
            return new IssuedCertificate(sign(builder, new KeyPair(ca.certificate().getPublicKey(), ca.privateKey()),
                            KeyType.of(ca.privateKey())),
                    keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create serving certificate", e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, Duration validity, KeyPair keys) {
        Instant now = clock.instant();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer, KeyType keyType)
            throws CertificateException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(keyType.signatureAlgorithm).build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign certificate", e);
        }
    }

    static KeyPair keyPair(KeyType keyType) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(keyType.algorithm);
            if (keyType == KeyType.EC_P256) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            } else {
                generator.initialize(2048, RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + keyType + " key pair", e);
        }
    }
}
