package dev.firstordinal.hook;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * Any annotation under {@value #PREFIX} means the user set their own hook; first-ordinal then
 * adds none of these.
 */
public final class HookAnnotations {

    public static final String PREFIX = "pre.hook.backup.velero.io/";
    public static final String CONTAINER = PREFIX + "container";
    public static final String COMMAND = PREFIX + "command";
    public static final String ON_ERROR = PREFIX + "on-error";
    public static final String TIMEOUT = PREFIX + "timeout";
    public static final List<String> KEYS = List.of(CONTAINER, COMMAND, ON_ERROR, TIMEOUT);

    private static final ObjectMapper JSON = Json.MAPPER;

    private final String command;
    private final String onError;
    private final String timeout;

    public HookAnnotations(String onError, GoDuration timeout) {
        if (!"Fail".equals(onError) && !"Continue".equals(onError)) {
            throw new IllegalArgumentException("hook on-error must be Fail or Continue, not '" + onError + "'");
        }
        this.onError = onError;
        this.timeout = timeout.text();
        this.command = toJsonArray(HookScript.argv(timeout.duration()));
    }

    /** The four annotations for a hook that runs in {@code container}, in a stable order. */
    public Map<String, String> forContainer(String container) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(CONTAINER, container);
        annotations.put(COMMAND, command);
        annotations.put(ON_ERROR, onError);
        annotations.put(TIMEOUT, timeout);
        return annotations;
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
