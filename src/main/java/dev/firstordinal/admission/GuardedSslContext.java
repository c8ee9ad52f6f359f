package dev.firstordinal.admission;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A server's TLS context (Netty's public {@link SslContext}) whose TLS handlers call the {@link AcceptHook} when they
 * are added to an accepted connection's pipeline: Vert.x adds the TLS handler as it accepts the connection, so the
 * guard sees it before any byte is read. Everything else is the wrapped context's.
 */
final class GuardedSslContext extends SslContext {

    private final SslContext context;
    private final AcceptHook hook;

    GuardedSslContext(SslContext context, AcceptHook hook) {
        this.context = context;
        this.hook = hook;
    }

    @Override
    public boolean isClient() {
        return context.isClient();
    }

    @Override
    public List<String> cipherSuites() {
        return context.cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return context.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return context.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return context.newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return context.sessionContext();
    }

    // The wrapped context makes the handler (and so the engine as it would for itself: BoringSSL's not in JDK
    // compatibility mode); the guarded handler takes over its engine.

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
        return guarded(context.newHandler(alloc, ImmediateExecutor.INSTANCE), startTls, ImmediateExecutor.INSTANCE);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
        return guarded(context.newHandler(alloc, executor), startTls, executor);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls) {
        return guarded(context.newHandler(alloc, peerHost, peerPort, ImmediateExecutor.INSTANCE), startTls, ImmediateExecutor.INSTANCE);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls, Executor executor) {
        return guarded(context.newHandler(alloc, peerHost, peerPort, executor), startTls, executor);
    }

    private SslHandler guarded(SslHandler made, boolean startTls, Executor executor) {
        return new Guarded(made.engine(), startTls, executor, hook);
    }

    /** A TLS handler that hands its connection to the guard once it is in the connection's pipeline. */
    private static final class Guarded extends SslHandler {
        private final AcceptHook hook;

        Guarded(SSLEngine engine, boolean startTls, Executor executor, AcceptHook hook) {
            super(engine, startTls, executor);
            this.hook = hook;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            super.handlerAdded(ctx);
            hook.accepted(ctx.pipeline(), ctx.name());
        }
    }
}
