package dev.firstordinal.admission;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.util.List;
import java.util.Set;

/**
 * The HTTPS server's TLS engine options (Vert.x's public {@link SSLEngineOptions} SPI, set through Quarkus'
 * {@code HttpServerOptionsCustomizer}): those of the chosen engine, whose server contexts come wrapped in a
 * {@link GuardedSslContext}, so that every connection Vert.x accepts passes the {@link AcceptHook} as its TLS handler
 * is added, before any TLS work. Vert.x makes a server's TLS context from its options' engine only (lazily, at the
 * first connection), so a server built with these options accepts no connection unguarded.
 */
final class GuardedSslEngineOptions extends SSLEngineOptions {

    private final SSLEngineOptions engine;
    private final AcceptHook hook;

    GuardedSslEngineOptions(SSLEngineOptions engine, AcceptHook hook) {
        super(engine);
        this.engine = engine;
        this.hook = hook;
    }

    @Override
    public SSLEngineOptions copy() {
        return new GuardedSslEngineOptions(engine.copy(), hook);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new Factory(engine.sslContextFactory());
    }

    /** The chosen engine's factory; the contexts it makes for a server are guarded. */
    private final class Factory implements SslContextFactory {
        private final SslContextFactory factory;
        private boolean client;

        Factory(SslContextFactory factory) {
            this.factory = factory;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            factory.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            factory.clientAuth(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            client = forClient;
            factory.forClient(forClient);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            factory.keyMananagerFactory(kmf);
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            factory.trustManagerFactory(tmf);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
            factory.enabledCipherSuites(cipherSuites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> protocols) {
            factory.applicationProtocols(protocols);
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            factory.serverName(serverName);
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            SslContext context = factory.create();
            return client ? context : new GuardedSslContext(context, hook);
        }
    }
}
