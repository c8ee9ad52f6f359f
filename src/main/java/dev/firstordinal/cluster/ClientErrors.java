package dev.firstordinal.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** How a failed call to the API server is told in one log line. */
public final class ClientErrors {

    private static final int MAX_LENGTH = 200;

    private ClientErrors() {
    }

    /**
     * {@code HTTP <code>: <the Status message>} when the API server answered, else the root cause's class and
     * message; whitespace folded and cut at 200 characters, so that the API server's text stays one short line.
     */
    public static String oneLine(Throwable error) {
        if (error instanceof KubernetesClientException k && k.getCode() > 0) {
            String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
            return "HTTP " + k.getCode() + ": " + flat(message);
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return flat(message);
    }

    private static String flat(String message) {
        String flat = message == null ? "" : message.replaceAll("\\s+", " ").trim();
        return flat.length() > MAX_LENGTH ? flat.substring(0, MAX_LENGTH) + "…" : flat;
    }
}
