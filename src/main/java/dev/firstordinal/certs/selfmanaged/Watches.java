package dev.firstordinal.certs.selfmanaged;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Informers that never take the pod down: started without waiting, every add, update and delete
 * (as null) passed to one callback, and a watch that fails (API server unreachable, RBAC) logged in
 * one line and retried until {@code closed} says stop. The pod stays unready meanwhile instead of
 * crash-looping.
 */
final class Watches {

    private static final Logger LOG = Logger.getLogger(SelfManagedCertificates.class);

    private Watches() {
    }

    /** Starts {@code informer}; {@code changed} gets each new state of the object, null once deleted. */
    static <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, Consumer<T> changed, String what,
                                                              BooleanSupplier closed) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                changed.accept(object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                changed.accept(newObject);
            }

            @Override
            public void onDelete(T object, boolean deletedFinalStateUnknown) {
                changed.accept(null);
            }
        });
        informer.exceptionHandler((started, error) -> {
            if (!closed.getAsBoolean()) {
                LOG.warnf("self-managed TLS: cannot watch %s (%s); retrying", what, rootMessage(error));
            }
            return !closed.getAsBoolean();
        });
        informer.start();
        return informer;
    }

    /** One line for a log: an API error's status and message, or the root cause's message. */
    static String rootMessage(Throwable error) {
        if (error instanceof KubernetesClientException kubernetes && kubernetes.getCode() > 0) {
            String message = kubernetes.getStatus() != null && kubernetes.getStatus().getMessage() != null
                    ? kubernetes.getStatus().getMessage() : kubernetes.getMessage();
            return "HTTP " + kubernetes.getCode() + ": " + String.valueOf(message).replaceAll("\\s+", " ");
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
    }
}
