package dev.firstordinal.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A serving certificate chain with its private key, checked to belong together: what a TLS server
 * may load. Loading a certificate with another certificate's key makes every handshake fail, so
 * nothing is loaded unless it passes {@link #parse}.
 */
public record ServingPair(List<X509Certificate> chain, PrivateKey key) {

    public ServingPair {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /**
     * Parses and checks PEM text.
     *
     * @throws IllegalArgumentException (one line) when either part is missing or damaged, or the key is not the certificate's
     */
    public static ServingPair parse(String certificatePem, String keyPem) {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = Pem.certificates(certificatePem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("certificate: " + e.getMessage(), e);
        }
        try {
            key = Pem.privateKey(keyPem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("private key: " + e.getMessage(), e);
        }
        if (!Pem.matches(key, chain.get(0))) {
            throw new IllegalArgumentException("the private key does not belong to the certificate "
                    + chain.get(0).getSubjectX500Principal().getName());
        }
        return new ServingPair(chain, key);
    }

    /** One line for logs: subject, serial, names and validity. */
    public String describe() {
        X509Certificate leaf = leaf();
        List<String> names;
        try {
            names = leaf.getSubjectAlternativeNames() == null ? List.of()
                    : leaf.getSubjectAlternativeNames().stream().map(entry -> String.valueOf(entry.get(1))).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            names = List.of();
        }
        return leaf.getSubjectX500Principal().getName() + " serial " + leaf.getSerialNumber().toString(16)
                + " for " + names + " issued by " + leaf.getIssuerX500Principal().getName()
                + ", valid " + notBefore() + " to " + notAfter();
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }
}
