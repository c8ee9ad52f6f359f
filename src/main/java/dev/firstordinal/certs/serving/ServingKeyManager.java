package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.ServingPair;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTPS server's key manager: it hands each new handshake the serving pair installed last,
 * and a new pair takes effect at the next handshake, with no new SSL context, no server update and
 * no window in which a connection can be refused. (Vert.x 4.5's {@code updateSSLOptions} drops
 * connections accepted while it rebuilds the SSL context; the rotation test caught it.)
 *
 * <p>A handshake asks for an alias, then the chain and the key of that alias. Each installed pair
 * gets its own alias, and the last few stay resolvable, so a handshake that straddles an install
 * still gets a chain and a key that belong together.
 */
public final class ServingKeyManager extends X509ExtendedKeyManager {

    private static final int KEPT_GENERATIONS = 4;

    private record Generation(String alias, ServingPair pair) {
    }

    private final Map<String, Generation> recent = new LinkedHashMap<>();
    private volatile Generation current;
    private long installed;

    /** Serves {@code pair} to every handshake from now on. */
    public synchronized void install(ServingPair pair) {
        Generation generation = new Generation("serving-" + (++installed), pair);
        recent.put(generation.alias(), generation);
        while (recent.size() > KEPT_GENERATIONS) {
            recent.remove(recent.keySet().iterator().next());
        }
        current = generation;
    }

    /** The pair new handshakes get; empty before the first install. */
    public Optional<ServingPair> current() {
        Generation generation = current;
        return generation == null ? Optional.empty() : Optional.of(generation.pair());
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = alias(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Generation generation = generation(alias);
        return generation == null ? null : generation.pair().chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Generation generation = generation(alias);
        return generation == null ? null : generation.pair().key();
    }

    /** A server, not a client: no client certificates. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    /** The current alias when its key suits {@code keyType} ("EC", "RSA", "RSASSA-PSS", or TLS 1.2's "EC_EC", ...). */
    private String alias(String keyType) {
        Generation generation = current;
        if (generation == null || keyType == null) {
            return null;
        }
        String algorithm = generation.pair().key().getAlgorithm();
        String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        boolean suits = switch (algorithm) {
            case "EC", "ECDSA" -> wanted.equals("EC");
            case "RSA" -> wanted.equals("RSA") || wanted.equals("RSASSA-PSS");
            default -> wanted.equals(algorithm);
        };
        return suits ? generation.alias() : null;
    }

    private synchronized Generation generation(String alias) {
        return alias == null ? null : recent.get(alias);
    }
}
