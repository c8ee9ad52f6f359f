package dev.firstordinal.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/** Who and where this pod is: its namespace (for the Secret, Lease and certificate names) and its Lease identity. */
public final class PodIdentity {

    public static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private PodIdentity() {
    }

    /**
     * The configured namespace, else {@code POD_NAMESPACE} (downward API), else the service account's
     * namespace file, else the Kubernetes client's namespace.
     *
     * @throws IllegalStateException when none says
     */
    public static String namespace(Optional<String> configured, Map<String, String> env, Path serviceAccountFile, Supplier<String> clientNamespace) {
        if (configured.filter(value -> !value.isBlank()).isPresent()) {
            return configured.get().trim();
        }
        String fromEnv = env.get("POD_NAMESPACE");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        try {
            if (Files.isReadable(serviceAccountFile)) {
                String fromFile = Files.readString(serviceAccountFile).trim();
                if (!fromFile.isEmpty()) {
                    return fromFile;
                }
            }
        } catch (IOException ignored) {
            // fall through to the client's namespace
        }
        String fromClient = clientNamespace.get();
        if (fromClient != null && !fromClient.isBlank()) {
            return fromClient;
        }
        throw new IllegalStateException("self-managed TLS cannot tell its namespace: set first-ordinal.tls.namespace "
                + "(FIRST_ORDINAL_TLS_NAMESPACE) or POD_NAMESPACE");
    }

    /** The pod's name ({@code POD_NAME}, else {@code HOSTNAME}), else a random one: unique among the replicas. */
    public static String identity(Map<String, String> env) {
        for (String name : new String[] {"POD_NAME", "HOSTNAME"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return "first-ordinal-" + UUID.randomUUID();
    }
}
