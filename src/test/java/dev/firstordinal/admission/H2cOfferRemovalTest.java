package dev.firstordinal.admission;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class H2cOfferRemovalTest {

    private static HttpRequest request(String connection, String upgrade) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/q/health/live");
        request.headers().set("Connection", connection).set("Upgrade", upgrade).set("HTTP2-Settings", "AAMAAABk");
        return request;
    }

    @Test
    void anH2cOfferLeavesAPlainHttp11Request() {
        HttpRequest request = request("Upgrade, HTTP2-Settings", "h2c");
        H2cOfferRemoval.removeOffer(request.headers());
        assertThat(request.headers().names()).doesNotContain("Upgrade", "HTTP2-Settings", "Connection");
    }

    @Test
    void otherUpgradeOffersAndConnectionOptionsAreKept() {
        HttpRequest request = request("keep-alive, Upgrade, HTTP2-Settings", "websocket, H2C");
        H2cOfferRemoval.removeOffer(request.headers());
        assertThat(request.headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(request.headers().get("Connection")).isEqualTo("keep-alive, Upgrade");
        assertThat(request.headers().contains("HTTP2-Settings")).isFalse();
    }

    @Test
    void itSitsAfterTheDecoderAndLeavesOtherRequestsAlone() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder());
        assertThat(H2cOfferRemoval.install(channel.pipeline())).isTrue();
        HttpRequest plain = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/q/metrics");
        plain.headers().set("Connection", "Upgrade").set("Upgrade", "websocket");
        channel.pipeline().fireChannelRead(plain);
        channel.pipeline().fireChannelRead(request("Upgrade, HTTP2-Settings", "h2c"));
        HttpRequest first = channel.readInbound();
        HttpRequest second = channel.readInbound();
        assertThat(first.headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(second.headers().contains("Upgrade")).isFalse();
        assertThat(H2cOfferRemoval.install(new EmbeddedChannel().pipeline())).as("no decoder yet").isFalse();
    }
}
