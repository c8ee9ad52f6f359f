package dev.firstordinal.testing;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookScript;

import java.util.LinkedHashMap;
import java.util.Map;

/** The hook annotations an earlier first-ordinal release wrote: its own (signed) script, other settings, no identity. */
public final class OlderHook {

    private OlderHook() {
    }

    /**
     * The four annotations, in container {@code redis}, on-error Continue, timeout 60s; the script has
     * {@code <}, {@code >} and {@code &}, which the API server stores escaped.
     */
    public static Map<String, String> annotations() {
        Map<String, String> hook = new LinkedHashMap<>();
        hook.put(HookAnnotations.CONTAINER, "redis");
        hook.put(HookAnnotations.COMMAND, "[\"/bin/sh\",\"-c\",\"echo '" + HookScript.SIGNATURE + " 0.0.9' >&2; [ 1 -lt 2 ] && redis-cli BGSAVE </dev/null\"]");
        hook.put(HookAnnotations.ON_ERROR, "Continue");
        hook.put(HookAnnotations.TIMEOUT, "60s");
        return hook;
    }

    /** {@link #annotations()} with one more annotation. */
    public static Map<String, String> annotationsWith(String key, String value) {
        Map<String, String> hook = annotations();
        hook.put(key, value);
        return hook;
    }
}
