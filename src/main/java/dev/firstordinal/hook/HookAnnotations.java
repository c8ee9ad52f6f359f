package dev.firstordinal.hook;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Velero pre-backup hook annotations first-ordinal writes on a first-ordinal pod.
 *
 * <ul>
 *   <li>{@value #CONTAINER}: the container to exec in;</li>
 *   <li>{@value #COMMAND}: a JSON array {@code ["/bin/sh","-c","<script>"]} (Velero treats any
 *       value not starting with {@code [} as one argv element);</li>
 *   <li>{@value #ON_ERROR}: {@code Fail} or {@code Continue};</li>
 *   <li>{@value #TIMEOUT}: a Go duration with a unit.</li>
 * </ul>
 * and {@value #IDENTITY}: the hook's identity, a short hash of the command, on-error and timeout, so that a
 * hook written by another version or with other settings is found ({@link #stale}) and refreshed.
 * Any annotation under {@value #PREFIX} whose command is not first-ordinal's ({@link HookScript#isOurs}) means
 * the user set their own hook; first-ordinal then adds none of these and never touches it.
 *
 * <p>In {@link HookMode#SCHEDULE} the hook lives in the Velero Schedule: {@link #forContainer} is empty and
 * every first-ordinal hook annotation on a pod is stale.
 */
public final class HookAnnotations {

    public static final String PREFIX = "pre.hook.backup.velero.io/";
    public static final String CONTAINER = PREFIX + "container";
    public static final String COMMAND = PREFIX + "command";
    public static final String ON_ERROR = PREFIX + "on-error";
    public static final String TIMEOUT = PREFIX + "timeout";
    public static final List<String> KEYS = List.of(CONTAINER, COMMAND, ON_ERROR, TIMEOUT);
    /** The hook's identity: {@link #identity()} of the values first-ordinal wrote. */
    public static final String IDENTITY = "first-ordinal.dev/hook";
    /** Every annotation first-ordinal writes for its hook. */
    public static final List<String> OWN_KEYS = Stream.concat(KEYS.stream(), Stream.of(IDENTITY)).toList();

    private static final ObjectMapper JSON = Json.MAPPER;

    private final List<String> argv;
    private final String command;
    private final String onError;
    private final String timeout;
    private final HookMode mode;
    private final String identity;

    /** Annotations mode. */
    public HookAnnotations(String onError, GoDuration timeout) {
        this(onError, timeout, HookMode.ANNOTATIONS);
    }

    public HookAnnotations(String onError, GoDuration timeout, HookMode mode) {
        if (!"Fail".equals(onError) && !"Continue".equals(onError)) {
            throw new IllegalArgumentException("hook on-error must be Fail or Continue, not '" + onError + "'");
        }
        this.onError = onError;
        this.timeout = timeout.text();
        this.argv = HookScript.argv(timeout.duration());
        this.command = toJsonArray(argv);
        this.mode = mode;
        this.identity = identityOf(command, onError, this.timeout);
    }

    /**
     * The annotations for a hook that runs in {@code container}, in a stable order: the four Velero ones and
     * {@value #IDENTITY}; none in schedule mode.
     */
    public Map<String, String> forContainer(String container) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (mode == HookMode.SCHEDULE) {
            return annotations;
        }
        annotations.put(CONTAINER, container);
        annotations.put(COMMAND, command);
        annotations.put(ON_ERROR, onError);
        annotations.put(TIMEOUT, timeout);
        annotations.put(IDENTITY, identity);
        return annotations;
    }

    public HookMode mode() {
        return mode;
    }

    public String onError() {
        return onError;
    }

    /** The Velero timeout, a Go duration with a unit. */
    public String timeout() {
        return timeout;
    }

    /** This version's hook identity: 12 hex digits of the SHA-256 of the command, on-error and timeout. */
    public String identity() {
        return identity;
    }

    /**
     * first-ordinal's own hook annotations on a pod that are not what this version writes, with their values;
     * empty when the pod's hook is current, is a user's, or there is none. In annotations mode a hook of ours
     * (its command carries {@link HookScript#SIGNATURE}) is stale when its identity annotation is missing or
     * another, or its command, on-error or timeout is not the one that identity names (edited by hand); the
     * container is the pod's own choice and not part of it. In schedule mode every hook annotation of ours is stale.
     */
    public Map<String, String> stale(Map<String, String> annotations) {
        Map<String, String> stale = new LinkedHashMap<>();
        if (annotations == null || !HookScript.isOurs(annotations.get(COMMAND))) {
            return stale;
        }
        boolean current = mode == HookMode.ANNOTATIONS && identity.equals(annotations.get(IDENTITY))
                && identity.equals(identityOf(annotations.get(COMMAND), annotations.get(ON_ERROR), annotations.get(TIMEOUT)));
        if (!current) {
            for (String key : OWN_KEYS) {
                if (annotations.containsKey(key)) {
                    stale.put(key, annotations.get(key));
                }
            }
        }
        return stale;
    }

    /** Whether the pod has a hook annotation that first-ordinal did not write (a user's hook, left alone). */
    public static boolean userHasOwnHook(Map<String, String> annotations) {
        return userHasHook(annotations) && !HookScript.isOurs(annotations.get(COMMAND));
    }

    static String identityOf(String command, String onError, String timeout) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[]{command, onError, timeout}) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hook's argv, {@code ["/bin/sh", "-c", script]}: {@link #command()} before it is written as JSON. */
    public List<String> argv() {
        return argv;
    }

    public String command() {
        return command;
    }

    public static boolean userHasHook(Map<String, String> annotations) {
        return annotations != null && annotations.keySet().stream().anyMatch(k -> k.startsWith(PREFIX));
    }

    private static String toJsonArray(List<String> argv) {
        try {
            return JSON.writeValueAsString(argv);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
