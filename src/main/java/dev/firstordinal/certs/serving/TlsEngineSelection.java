package dev.firstordinal.certs.serving;

import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.config.FirstOrdinalConfig.Tls.Engine;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Chooses the HTTPS server's TLS engine (the connection guard installs it, see
 * {@code dev.firstordinal.admission.ConnectionGuard}): BoringSSL ({@code first-ordinal.tls.engine=openssl}, the default) when
 * netty-tcnative loads, otherwise on the JDK's TLS with a warning that says why. The serving key
 * manager is the same either way, so certificate reloads reach new handshakes with both engines.
 *
 * <p>Why: under the shipped {@code -XX:TieredStopAtLevel=1} the JDK's AES-GCM runs without its
 * intrinsics and took most of the CPU per request (see bench/RESULTS.md).
 */
@Singleton
public class TlsEngineSelection {

    private static final Logger LOG = Logger.getLogger(TlsEngineSelection.class);

    private final Engine wanted;

    TlsEngineSelection(FirstOrdinalConfig config) {
        this.wanted = config.tls().engine();
    }

    /** The engine options for the HTTPS server, logged once per server made. */
    public SSLEngineOptions engineOptions() {
        Engine engine = effective(wanted, OpenSsl.isAvailable());
        if (engine == Engine.OPENSSL) {
            LOG.infof("TLS engine: %s (netty-tcnative)", OpenSsl.versionString());
            return new OpenSSLEngineOptions().setSessionCacheEnabled(true);
        }
        if (wanted == Engine.OPENSSL) {
            LOG.warnf("TLS engine: JDK, because BoringSSL (netty-tcnative) could not load here: %s; "
                    + "set first-ordinal.tls.engine=jdk to silence this warning", OpenSsl.unavailabilityCause());
        } else {
            LOG.info("TLS engine: JDK (first-ordinal.tls.engine=jdk)");
        }
        return new JdkSSLEngineOptions();
    }

    /** The engine the server gets: OpenSSL only when asked for and loadable. */
    static Engine effective(Engine wanted, boolean openSslAvailable) {
        return wanted == Engine.OPENSSL && openSslAvailable ? Engine.OPENSSL : Engine.JDK;
    }
}
