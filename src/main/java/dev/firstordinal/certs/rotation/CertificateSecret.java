package dev.firstordinal.certs.rotation;

import dev.firstordinal.certs.Pem;
import dev.firstordinal.certs.ServingPair;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the webhook's {@code kubernetes.io/tls} Secret holds in self-managed mode, read leniently: a
 * damaged entry is noted in {@link #problems()} and treated as absent. Values are PEM text.
 *
 * <ul>
 *   <li>{@code tls.crt}, {@code tls.key}: the serving certificate and its key (what every replica serves);</li>
 *   <li>{@code ca.crt}, {@code ca.key}: the CA that signed it (the key is absent when someone else made the Secret);</li>
 *   <li>{@code ca-bundle.crt}: the CAs the webhook configuration must trust (the {@code caBundle});</li>
 *   <li>{@code next-ca.crt}, {@code next-ca.key}: a new CA waiting to take over during a CA rotation.</li>
 * </ul>
 */
public record CertificateSecret(Map<String, String> raw,
                                Optional<X509Certificate> caCertificate,
                                Optional<PrivateKey> caKey,
                                Optional<ServingPair> serving,
                                List<X509Certificate> caBundle,
                                Optional<X509Certificate> nextCaCertificate,
                                Optional<PrivateKey> nextCaKey,
                                List<String> problems) {

    public static final String TLS_CRT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String CA_CRT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String CA_BUNDLE = "ca-bundle.crt";
    public static final String NEXT_CA_CRT = "next-ca.crt";
    public static final String NEXT_CA_KEY = "next-ca.key";

    public CertificateSecret {
        raw = Map.copyOf(raw);
        caBundle = List.copyOf(caBundle);
        problems = List.copyOf(problems);
    }

    /** Parses the Secret's entries (PEM text by key); unknown keys are kept as they are. */
    public static CertificateSecret parse(Map<String, String> pem) {
        Map<String, String> raw = new LinkedHashMap<>();
        pem.forEach((key, value) -> {
            if (value != null) {
                raw.put(key, value);
            }
        });
        List<String> problems = new ArrayList<>();
        Optional<ServingPair> serving = Optional.empty();
        if (present(raw, TLS_CRT) || present(raw, TLS_KEY)) {
            try {
                serving = Optional.of(ServingPair.parse(raw.getOrDefault(TLS_CRT, ""), raw.getOrDefault(TLS_KEY, "")));
            } catch (IllegalArgumentException e) {
                problems.add(TLS_CRT + "/" + TLS_KEY + ": " + e.getMessage());
            }
        }
        List<X509Certificate> bundle = List.of();
        if (present(raw, CA_BUNDLE)) {
            try {
                bundle = Pem.certificates(raw.get(CA_BUNDLE));
            } catch (IllegalArgumentException e) {
                problems.add(CA_BUNDLE + ": " + e.getMessage());
            }
        }
        return new CertificateSecret(raw, certificate(raw, CA_CRT, problems), key(raw, CA_KEY, problems), serving, bundle,
                certificate(raw, NEXT_CA_CRT, problems), key(raw, NEXT_CA_KEY, problems), problems);
    }

    public static CertificateSecret empty() {
        return parse(Map.of());
    }

    private static boolean present(Map<String, String> raw, String key) {
        return raw.containsKey(key) && !raw.get(key).isBlank();
    }

    private static Optional<X509Certificate> certificate(Map<String, String> raw, String key, List<String> problems) {
        if (!present(raw, key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pem.certificate(raw.get(key)));
        } catch (IllegalArgumentException e) {
            problems.add(key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<PrivateKey> key(Map<String, String> raw, String key, List<String> problems) {
        if (!present(raw, key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pem.privateKey(raw.get(key)));
        } catch (IllegalArgumentException e) {
            problems.add(key + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
