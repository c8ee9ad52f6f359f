package dev.firstordinal.admission;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.ImmediateExecutor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS context the connection guard wraps around the HTTPS server's: each connection meets the guard as its TLS handler is added. */
class GuardedSslContextTest {

    private static SslContext serverContext() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        IssuedCertificate ca = issuer.certificateAuthority("test CA", Duration.ofDays(1), KeyType.EC_P256);
        IssuedCertificate serving = issuer.servingCertificate(ca, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1), KeyType.EC_P256);
        return SslContextBuilder.forServer(serving.privateKey(), serving.certificate()).sslProvider(SslProvider.JDK).build();
    }

    @Test
    void aHandlerItMakesHandsItsConnectionToTheGuardWhenAddedBeforeAnyByteIsRead() throws Exception {
        List<String> seen = new ArrayList<>();
        GuardedSslContext context = new GuardedSslContext(serverContext(), (pipeline, tlsHandlerName) -> {
            seen.add(tlsHandlerName);
            pipeline.addBefore(tlsHandlerName, "guard", new ChannelInboundHandlerAdapter());
        });
        SslHandler handler = context.newHandler(ByteBufAllocator.DEFAULT, "127.0.0.1", 40000, ImmediateExecutor.INSTANCE);
        EmbeddedChannel channel = new EmbeddedChannel();

        channel.pipeline().addLast("ssl", handler);

        assertThat(seen).containsExactly("ssl");
        assertThat(channel.pipeline().names()).startsWith("guard", "ssl");
        assertThat(handler.engine().getPeerPort()).as("the engine knows its peer").isEqualTo(40000);
        assertThat(handler.engine().getUseClientMode()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void everyWayOfMakingAHandlerIsGuarded() throws Exception {
        List<String> seen = new ArrayList<>();
        GuardedSslContext context = new GuardedSslContext(serverContext(), (pipeline, name) -> seen.add(name));
        List<SslHandler> handlers = List.of(context.newHandler(ByteBufAllocator.DEFAULT),
                context.newHandler(ByteBufAllocator.DEFAULT, ImmediateExecutor.INSTANCE),
                context.newHandler(ByteBufAllocator.DEFAULT, "127.0.0.1", 1),
                context.newHandler(ByteBufAllocator.DEFAULT, "127.0.0.1", 1, ImmediateExecutor.INSTANCE));
        for (SslHandler handler : handlers) {
            EmbeddedChannel channel = new EmbeddedChannel();
            channel.pipeline().addLast("tls", handler);
            channel.finishAndReleaseAll();
        }
        assertThat(seen).hasSize(handlers.size());
    }
}
