package dev.firstordinal.certs.serving;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.ServingPair;
import dev.firstordinal.config.FirstOrdinalConfig;
import io.quarkus.arc.Unremovable;
import io.quarkus.tls.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.crypto.spec.PBEParameterSpec;

/**
 * Gives the TLS configuration {@value #TLS_CONFIGURATION} (the HTTPS server's, see
 * {@code quarkus.http.tls-configuration-name}) the {@link ServingKeyManager}, loaded from
 * {@code first-ordinal.tls.cert-file} and {@code key-file} (in self-managed mode: a temporary pair).
 * The TLS registry asks once, at start; a certificate and key that are missing, damaged or not a
 * pair stop the start with a clear message.
 */
@Singleton
@Unremovable
@Identifier(WebhookKeyStoreProvider.TLS_CONFIGURATION)
public class WebhookKeyStoreProvider implements KeyStoreProvider {

    public static final String TLS_CONFIGURATION = "webhook";
    private static final Logger LOG = Logger.getLogger(WebhookKeyStoreProvider.class);
    private static final char[] SNAPSHOT_PASSWORD = "first-ordinal".toCharArray();
    private static final byte[] SNAPSHOT_SALT = "first-ordinal-snapshot".getBytes(StandardCharsets.US_ASCII);

    private final ServingKeyManager keyManager;
    private final Path certFile;
    private final Path keyFile;
    private final boolean selfManaged;

    WebhookKeyStoreProvider(ServingKeyManager keyManager, FirstOrdinalConfig config) {
        this.keyManager = keyManager;
        this.certFile = Path.of(config.tls().certFile());
        this.keyFile = Path.of(config.tls().keyFile());
        this.selfManaged = config.tls().mode() == FirstOrdinalConfig.Tls.Mode.SELF_MANAGED;
    }

    @Override
    public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        ServingPair pair = keyManager.current().orElseGet(selfManaged ? this::temporary : this::loadFiles);
        return new KeyStoreAndKeyCertOptions(snapshot(pair), KeyCertOptions.wrap(keyManager));
    }

    /**
     * Self-managed mode starts before it has read its Secret: the server starts with a throwaway
     * certificate nobody trusts, and readiness stays down until the Secret's certificate replaces it.
     * Nothing is written to disk, so a read-only root filesystem is fine.
     */
    private ServingPair temporary() {
        CertificateIssuer issuer = new CertificateIssuer();
        IssuedCertificate ca = issuer.certificateAuthority("first-ordinal temporary CA", Duration.ofDays(1), KeyType.EC_P256);
        IssuedCertificate serving = issuer.servingCertificate(ca, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1), KeyType.EC_P256);
        ServingPair pair = new ServingPair(List.of(serving.certificate()), serving.privateKey());
        keyManager.install(pair);
        LOG.info("self-managed TLS: serving a temporary certificate until the Secret's is read (readiness is down until then)");
        return pair;
    }

    private ServingPair loadFiles() {
        ServingPair pair;
        try {
            pair = ServingPair.parse(Files.readString(certFile, StandardCharsets.US_ASCII), Files.readString(keyFile, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the serving certificate " + certFile + " and key " + keyFile + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot serve " + certFile + " with " + keyFile + ": " + e.getMessage(), e);
        }
        keyManager.install(pair);
        LOG.infof("serving certificate from %s: %s", certFile, pair.describe());
        return pair;
    }

    /** The start-up pair as a KeyStore, for whoever asks the TLS registry; the server itself uses the key manager. */
    private static KeyStore snapshot(ServingPair pair) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            // In memory only, never written out: one PBKDF2 iteration instead of PKCS12's default 10,000, which cost
            // ~0.1 s of start-up on 2 cores under C1 (a JFR profile of the start), and as much again for each read of the key.
            KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(SNAPSHOT_PASSWORD,
                    "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(SNAPSHOT_SALT, 1));
            store.setEntry("serving", new KeyStore.PrivateKeyEntry(pair.key(), pair.chain().toArray(X509Certificate[]::new)),
                    protection);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a key store for the serving certificate", e);
        }
    }
}
