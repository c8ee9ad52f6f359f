package dev.firstordinal.ordinal;

import dev.firstordinal.hook.GoDuration;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookMode;

import java.util.regex.Pattern;

/**
 * What a first-ordinal pod gets: the backup label (key and default value) and the hook
 * annotations; and which StatefulSets are a shard's replica tier, left alone
 * ({@link ReplicaTier}). Validated once, at start, so that no request can produce a label or
 * annotation the API server would reject.
 */
public record MarkingPolicy(String labelKey, String labelValue, HookAnnotations hook, ReplicaTier replicaTier) {

    public static final String DEFAULT_LABEL_KEY = "velero-backup-schedule";
    public static final String DEFAULT_LABEL_VALUE = "redis";

    /** A label value or the name part of a label key, when not empty. */
    public static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public MarkingPolicy {
        if (replicaTier == null) {
            throw new IllegalArgumentException("replica tier must be given (ReplicaTier.DEFAULT, or none)");
        }
        if (!isQualifiedName(labelKey)) {
            throw new IllegalArgumentException("label key '" + labelKey + "' is not a valid Kubernetes label key");
        }
        if (!isLabelValue(labelValue)) {
            throw new IllegalArgumentException("label value '" + labelValue + "' is not a valid Kubernetes label value");
        }
    }

    public static MarkingPolicy defaults() {
        return of(DEFAULT_LABEL_KEY, DEFAULT_LABEL_VALUE, "Fail", "300s");
    }

    /** A policy with the default replica tier ({@link ReplicaTier#DEFAULT}). */
    public static MarkingPolicy of(String labelKey, String labelValue, String onError, String timeout) {
        return of(labelKey, labelValue, onError, timeout, ReplicaTier.DEFAULT_SETTING);
    }

    /** @param replicaTier the replica tier setting, parsed by {@link ReplicaTier#parse} */
    public static MarkingPolicy of(String labelKey, String labelValue, String onError, String timeout, String replicaTier) {
        return of(labelKey, labelValue, onError, timeout, replicaTier, HookMode.ANNOTATIONS.setting());
    }

    /** @param hookMode where the hook lives, parsed by {@link HookMode#parse} */
    public static MarkingPolicy of(String labelKey, String labelValue, String onError, String timeout, String replicaTier,
                                   String hookMode) {
        return new MarkingPolicy(labelKey, labelValue, new HookAnnotations(onError, GoDuration.parse(timeout), HookMode.parse(hookMode)),
                ReplicaTier.parse(replicaTier));
    }

    /** A label value: empty, or at most 63 characters of {@code [A-Za-z0-9_.-]} starting and ending alphanumeric. */
    public static boolean isLabelValue(String value) {
        return value != null && (value.isEmpty() || (value.length() <= 63 && NAME.matcher(value).matches()));
    }

    /** A label key: an optional DNS subdomain prefix and {@code /}, then a name of at most 63 characters. */
    public static boolean isQualifiedName(String key) {
        if (key == null) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
    }
}
