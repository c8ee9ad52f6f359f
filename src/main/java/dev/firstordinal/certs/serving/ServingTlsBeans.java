package dev.firstordinal.certs.serving;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one key manager the HTTPS server, the reloader and self-managed mode share. */
public class ServingTlsBeans {

    @Produces
    @Singleton
    ServingKeyManager servingKeyManager() {
        return new ServingKeyManager();
    }
}
