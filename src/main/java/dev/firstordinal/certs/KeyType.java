package dev.firstordinal.certs;

/** Key algorithms the certificates can use. ECDSA P-256 is the default: small and fast to handshake. */
public enum KeyType {
    EC_P256("EC", "SHA256withECDSA"),
    RSA_2048("RSA", "SHA256withRSA");

    final String algorithm;
    final String signatureAlgorithm;

    KeyType(String algorithm, String signatureAlgorithm) {
        this.algorithm = algorithm;
        this.signatureAlgorithm = signatureAlgorithm;
    }
}
