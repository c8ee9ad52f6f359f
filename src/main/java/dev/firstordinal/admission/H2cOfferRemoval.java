package dev.firstordinal.admission;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Takes an offer to upgrade to HTTP/2 in clear text ({@code Upgrade: h2c}) out of each decoded request, so that the
 * plain-HTTP management port stays HTTP/1.1 (a server may ignore an upgrade offer, RFC 9110 §7.8). Vert.x accepts
 * the offer there by default and Quarkus has no setting for the management server's HTTP/2: the kubelet and
 * Prometheus do not offer it, but {@code java.net.http.HttpClient} does on every {@code http://} request, and
 * HTTP/2's multiplexing is attack surface only. Besides, the upgrade removes every handler but Vert.x's HTTP/2 one
 * from the connection's pipeline, the project's own included. Netty's public API only; it sits right after the
 * HTTP/1.1 decoder, before Vert.x's upgrade handler.
 */
@ChannelHandler.Sharable
final class H2cOfferRemoval extends ChannelInboundHandlerAdapter {

    static final H2cOfferRemoval INSTANCE = new H2cOfferRemoval();
    private static final String NAME = "first-ordinal-no-h2c";
    private static final String H2C = "h2c";
    private static final String HTTP2_SETTINGS = "HTTP2-Settings";

    private H2cOfferRemoval() {
    }

    /** Adds it after the HTTP/1.1 decoder, once; false when there is no decoder yet. */
    static boolean install(ChannelPipeline pipeline) {
        ChannelHandlerContext decoder = pipeline.context(HttpRequestDecoder.class);
        if (decoder == null) {
            return false;
        }
        if (pipeline.get(NAME) == null) {
            pipeline.addAfter(decoder.name(), NAME, INSTANCE);
        }
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.headers().containsValue(HttpHeaderNames.UPGRADE, H2C, true)) {
            removeOffer(request.headers());
        }
        ctx.fireChannelRead(msg);
    }

    /** Removes {@code h2c} from Upgrade, the HTTP2-Settings header, and from Connection what named them. */
    static void removeOffer(HttpHeaders headers) {
        String upgrade = withoutTokens(String.join(",", headers.getAll(HttpHeaderNames.UPGRADE)), H2C);
        headers.remove(HTTP2_SETTINGS);
        String connection = withoutTokens(String.join(",", headers.getAll(HttpHeaderNames.CONNECTION)),
                upgrade.isEmpty() ? new String[] {"http2-settings", "upgrade"} : new String[] {"http2-settings"});
        set(headers, HttpHeaderNames.UPGRADE, upgrade);
        set(headers, HttpHeaderNames.CONNECTION, connection);
    }

    private static void set(HttpHeaders headers, CharSequence name, String value) {
        if (value.isEmpty()) {
            headers.remove(name);
        } else {
            headers.set(name, value);
        }
    }

    /** The comma-separated {@code value} without the {@code tokens} (case-insensitive), joined by ", ". */
    private static String withoutTokens(String value, String... tokens) {
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(token -> !token.isEmpty() && Arrays.stream(tokens).noneMatch(token::equalsIgnoreCase))
                .collect(Collectors.joining(", "));
    }
}
