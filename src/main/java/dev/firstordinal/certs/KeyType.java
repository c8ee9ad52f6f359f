package dev.firstordinal.certs;

import java.security.PrivateKey;

/** Key algorithms the certificates can use. ECDSA P-256 is the default: small and fast to handshake. */
public enum KeyType {
    EC_P256("EC", "SHA256withECDSA", "ec", "ECDSA P-256"),
    RSA_2048("RSA", "SHA256withRSA", "rsa", "RSA 2048");

    final String algorithm;
    final String signatureAlgorithm;
    private final String option;
    private final String description;

    KeyType(String algorithm, String signatureAlgorithm, String option, String description) {
        this.algorithm = algorithm;
        this.signatureAlgorithm = signatureAlgorithm;
        this.option = option;
        this.description = description;
    }

    /** {@code ec} or {@code rsa}, as written on the command line and in configuration. */
    public String option() {
        return option;
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Parses {@code ec} or {@code rsa} (any case).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static KeyType fromOption(String value) {
        for (KeyType type : values()) {
            if (type.option.equalsIgnoreCase(value == null ? "" : value.trim())) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown key type '" + value + "': use ec (ECDSA P-256) or rsa (RSA 2048)");
    }

    /** The type of an existing key: EC keys sign with ECDSA, anything else is treated as RSA. */
    public static KeyType of(PrivateKey key) {
        return "EC".equals(key.getAlgorithm()) || "ECDSA".equals(key.getAlgorithm()) ? EC_P256 : RSA_2048;
    }
}
