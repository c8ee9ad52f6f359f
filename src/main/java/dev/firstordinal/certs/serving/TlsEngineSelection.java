package dev.firstordinal.certs.serving;

import dev.firstordinal.config.FirstOrdinalConfig;
import dev.firstordinal.config.FirstOrdinalConfig.Tls.Engine;
import io.netty.handler.ssl.OpenSsl;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Puts the HTTPS server on BoringSSL ({@code first-ordinal.tls.engine=openssl}, the default) when
 * netty-tcnative loads, otherwise on the JDK's TLS with a warning that says why. The serving key
 * manager is the same either way, so certificate reloads reach new handshakes with both engines.
 *
 * <p>Why: under the shipped {@code -XX:TieredStopAtLevel=1} the JDK's AES-GCM runs without its
 * intrinsics and took most of the CPU per request (see bench/RESULTS.md).
 */
@Singleton
public class TlsEngineSelection implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(TlsEngineSelection.class);

    private final Engine wanted;

    TlsEngineSelection(FirstOrdinalConfig config) {
        this.wanted = config.tls().engine();
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        Engine engine = effective(wanted, OpenSsl.isAvailable());
        if (engine == Engine.OPENSSL) {
            options.setSslEngineOptions(new OpenSSLEngineOptions().setSessionCacheEnabled(true));
            LOG.infof("TLS engine: %s (netty-tcnative)", OpenSsl.versionString());
        } else if (wanted == Engine.OPENSSL) {
            LOG.warnf("TLS engine: JDK, because BoringSSL (netty-tcnative) could not load here: %s; "
                    + "set first-ordinal.tls.engine=jdk to silence this warning", OpenSsl.unavailabilityCause());
        } else {
            LOG.info("TLS engine: JDK (first-ordinal.tls.engine=jdk)");
        }
    }

    /** The engine the server gets: OpenSSL only when asked for and loadable. */
    static Engine effective(Engine wanted, boolean openSslAvailable) {
        return wanted == Engine.OPENSSL && openSslAvailable ? Engine.OPENSSL : Engine.JDK;
    }
}
