package dev.firstordinal.admission;

import io.netty.channel.ChannelPipeline;

/** What the connection guard does with each connection the TLS server accepts, before any TLS work. */
@FunctionalInterface
interface AcceptHook {

    /**
     * A connection was just accepted and its TLS handler {@code tlsHandlerName} added to {@code pipeline}; no byte of
     * it has been read. On the connection's event loop.
     */
    void accepted(ChannelPipeline pipeline, String tlsHandlerName);
}
