package dev.firstordinal.admission;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Gives the answers Vert.x writes itself, to a request it cannot parse, the one-line JSON error body every other
 * refusal of the project has ({@link AnswerEncoding#error}): 400 (malformed request), 414 (request line too long) and
 * 431 (headers too large) otherwise arrive with an empty body, which tells the API server's log nothing. Netty's
 * public API only: it sits between Vert.x's connection and the HTTP encoder, and rewrites a complete response with
 * one of those statuses, an empty body and no content type; any other message passes untouched.
 */
@ChannelHandler.Sharable
final class InvalidRequestAnswers extends ChannelOutboundHandlerAdapter {

    static final InvalidRequestAnswers INSTANCE = new InvalidRequestAnswers();
    private static final String NAME = "first-ordinal-invalid-requests";

    private InvalidRequestAnswers() {
    }

    /**
     * Installs it on an accepted TLS connection once its HTTP codec is in place: at once on a plain connection; on a TLS
     * one Vert.x adds the codec when the handshake has succeeded, after everything now in the pipeline, so a one-shot
     * handler added last installs it when the first decrypted bytes (or the handshake's event) pass.
     */
    static void installWhenReady(ChannelPipeline pipeline) {
        if (!install(pipeline)) {
            pipeline.addLast(NAME + "-installer", new Installer());
        }
    }

    private static final class Installer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            installAndLeave(ctx);
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent) {
                installAndLeave(ctx);
            }
            ctx.fireUserEventTriggered(event);
        }

        private static void installAndLeave(ChannelHandlerContext ctx) {
            if (install(ctx.pipeline())) {
                ctx.pipeline().remove(ctx.handler());
            }
        }
    }

    /** Adds it after the HTTP encoder; false when there is no codec yet. */
    private static boolean install(ChannelPipeline pipeline) {
        ChannelHandlerContext encoder = pipeline.context(HttpResponseEncoder.class);
        if (encoder == null) {
            return false;
        }
        if (pipeline.get(NAME) == null) {
            pipeline.addAfter(encoder.name(), NAME, INSTANCE);
        }
        return true;
    }

    /** The error message for a status Vert.x answers by itself; null for any other. */
    static String messageFor(int status) {
        return switch (status) {
            case 400 -> "bad request: not a valid HTTP/1.1 request";
            case 414 -> "request line too long";
            case 431 -> "request headers too large";
            default -> null;
        };
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof FullHttpResponse response && response.content().readableBytes() == 0
                && !response.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
            String message = messageFor(response.status().code());
            if (message != null) {
                ByteBuf body = Unpooled.wrappedBuffer(AnswerEncoding.error(message));
                FullHttpResponse json = new DefaultFullHttpResponse(response.protocolVersion(), response.status(), body,
                        response.headers().copy(), response.trailingHeaders().copy());
                json.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                response.release();
                ctx.write(json, promise);
                return;
            }
        }
        ctx.write(msg, promise);
    }
}
