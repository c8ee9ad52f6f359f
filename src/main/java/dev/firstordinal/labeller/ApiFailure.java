package dev.firstordinal.labeller;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A failed Kubernetes API call, classified for the retry loop and worded for an SRE reading the
 * init container's log.
 */
public final class ApiFailure extends RuntimeException {

    /** Role the labeller's manifests create; named in RBAC messages. */
    public static final String ROLE = "first-ordinal-labeller";

    public enum Kind {
        /** Connection refused/reset, timeouts, 5xx, 429, 408: try again later. */
        TRANSIENT(true),
        /** The pod changed between read and patch (409, or a failed JSON patch {@code test}): read it again. */
        CONFLICT(true),
        /** 403: an RBAC rule is missing. Retrying will not grant it. */
        FORBIDDEN(false),
        /** 401: the credentials were rejected. */
        UNAUTHORIZED(false),
        /** 404: the object does not exist. */
        NOT_FOUND(false),
        /** Anything else (400, 422, ...): a bug or an unexpected cluster; retrying will not help. */
        PERMANENT(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;
    private final Optional<Duration> retryAfter;

    public ApiFailure(Kind kind, String message, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public ApiFailure(Kind kind, String message) {
        this(kind, message, Optional.empty(), null);
    }

    public Kind kind() {
        return kind;
    }

    /** The server's {@code Retry-After} (from a 429's or 5xx's Status details), if it sent one. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** A 404 for an object the caller expected: worded by the caller, who knows what it means. */
    public static ApiFailure notFound(String message) {
        return new ApiFailure(Kind.NOT_FOUND, message);
    }

    /** Classifies what the fabric8 client threw while making {@code operation}. */
    public static ApiFailure of(Operation operation, KubernetesClientException e) {
        int code = e.getCode();
        String server = serverMessage(e);
        Optional<Duration> retryAfter = retryAfter(e.getStatus());
        String what = operation.describe();
        if (code == 403) {
            return new ApiFailure(Kind.FORBIDDEN, "RBAC: the ServiceAccount needs " + operation.rbacRule()
                    + " in namespace \"" + operation.namespace() + "\" (Role " + ROLE + "); the API server said: " + server,
                    Optional.empty(), e);
        }
        if (code == 401) {
            return new ApiFailure(Kind.UNAUTHORIZED, what + ": the API server rejected the credentials (401); is the pod's "
                    + "ServiceAccount token mounted (automountServiceAccountToken must not be false)? " + server, Optional.empty(), e);
        }
        if (code == 404) {
            return new ApiFailure(Kind.NOT_FOUND, what + ": not found (404): " + server, Optional.empty(), e);
        }
        if (code == 409 || (code == 422 && isFailedPatchTest(server))) {
            return new ApiFailure(Kind.CONFLICT, what + ": the object changed meanwhile (" + code + "): " + server, Optional.empty(), e);
        }
        if (code == 429 || code == 408 || (code >= 500 && code <= 599)) {
            return new ApiFailure(Kind.TRANSIENT, what + ": HTTP " + code + ": " + server, retryAfter, e);
        }
        if (code <= 0 && hasCause(e, ResponseBound.TooLarge.class)) {
            return new ApiFailure(Kind.PERMANENT, what + ": " + rootMessage(e), Optional.empty(), e);
        }
        if (code <= 0 && hasCause(e, com.fasterxml.jackson.core.JsonProcessingException.class)) {
            // An IOException too, but the server answered: something (a proxy's error page?) that is not the API's JSON.
            return new ApiFailure(Kind.TRANSIENT, what + ": the API server's answer is not valid JSON: "
                    + oneLine(jsonProblem(e)), Optional.empty(), e);
        }
        if (code <= 0 && hasCause(e, IOException.class, TimeoutException.class)) {
            return new ApiFailure(Kind.TRANSIENT, what + ": cannot reach the API server: " + rootMessage(e), Optional.empty(), e);
        }
        return new ApiFailure(Kind.PERMANENT, what + ": " + (code > 0 ? "HTTP " + code + ": " + server : rootMessage(e)),
                Optional.empty(), e);
    }

    /** evanphx/json-patch reports a failed {@code test} op as "testing value ... failed: test failed". */
    private static boolean isFailedPatchTest(String message) {
        return message != null && message.contains("test") && message.contains("fail");
    }

    private static String serverMessage(KubernetesClientException e) {
        Status status = e.getStatus();
        if (status != null && status.getMessage() != null && !status.getMessage().isBlank()) {
            return status.getMessage();
        }
        return e.getMessage();
    }

    private static Optional<Duration> retryAfter(Status status) {
        StatusDetails details = status == null ? null : status.getDetails();
        Integer seconds = details == null ? null : details.getRetryAfterSeconds();
        return seconds == null || seconds <= 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }

    @SafeVarargs
    private static boolean hasCause(Throwable e, Class<? extends Throwable>... types) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Jackson's own description of the problem, without its source excerpt and location lines. */
    private static String jsonProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
                return json.getOriginalMessage();
            }
        }
        return rootMessage(e);
    }

    /** One line of at most 200 characters: the init container's log is read line by line. */
    private static String oneLine(String message) {
        String flat = message == null ? "" : message.replaceAll("\\s+", " ").trim();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
