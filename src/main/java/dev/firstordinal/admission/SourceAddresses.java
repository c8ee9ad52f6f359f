package dev.firstordinal.admission;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Vert.x's socket addresses as the JDK's, for the per-source rate. */
final class SourceAddresses {

    private SourceAddresses() {
    }

    /** The address, or null when it is not an IP address (a domain socket): no rate applies then. */
    static InetSocketAddress of(io.vertx.core.net.SocketAddress address) {
        if (address == null || address.hostAddress() == null || address.hostAddress().isEmpty()) {
            return null;
        }
        try {
            // A literal IP address: no name lookup.
            return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
