package dev.firstordinal.admission;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.impl.TCPServerBase;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the listening Netty channels of Vert.x's HTTP servers, where Vert.x offers no API: by
 * reflection on its server internals. The TLS ones serve {@code /mutate}; the plain one is the
 * management port. An empty list (Vert.x internals changed) is logged as an ERROR here; the caller
 * decides what it costs.
 */
final class HttpsServerChannels {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

    private HttpsServerChannels() {
    }

    /** A listening channel, and whether it serves TLS. */
    record Listening(Channel channel, boolean tls) {
    }

    static List<Listening> of(Vertx vertx) {
        List<Listening> channels = new ArrayList<>();
        try {
            Field options = TCPServerBase.class.getDeclaredField("options");
            Field bindFuture = TCPServerBase.class.getDeclaredField("bindFuture");
            options.setAccessible(true);
            bindFuture.setAccessible(true);
            for (HttpServerImpl server : ((VertxInternal) vertx).sharedHttpServers().values()) {
                if (bindFuture.get(server) instanceof io.vertx.core.Future<?> bound
                        && bound.result() instanceof Channel channel) {
                    channels.add(new Listening(channel, ((NetServerOptions) options.get(server)).isSsl()));
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.error("cannot find the HTTP server channels (Vert.x internals changed?): " + e, e);
        }
        return channels;
    }
}
