package dev.firstordinal.labeller;

import dev.firstordinal.cli.Settings;
import dev.firstordinal.cli.NamespaceNames;
import dev.firstordinal.cli.UsageException;
import dev.firstordinal.hook.GoDuration;
import dev.firstordinal.ordinal.MarkingPolicy;

import java.time.Duration;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * The settings of {@code label-self}, checked. Each comes from a flag ({@link LabelSelfArguments}), else an environment variable, else
 * a default; the marking settings use the same variables and defaults as the webhook
 * ({@code FIRST_ORDINAL_LABEL_KEY}, ...), so one ConfigMap can feed both.
 *
 * @param podName   the pod to label: {@code --pod}, {@code POD_NAME}
 * @param namespace its namespace: {@code --namespace}, {@code POD_NAMESPACE}
 * @param timeout   how long to keep retrying: {@code --timeout}, {@code FIRST_ORDINAL_LABELLER_TIMEOUT}, 60 s
 * @param required  exit non-zero on giving up: {@code --required}, {@code FIRST_ORDINAL_LABELLER_REQUIRED=true}
 * @param policy    the label and hook to put on the first ordinal
 */
public record LabelSelfOptions(String podName, String namespace, Duration timeout, boolean required, MarkingPolicy policy) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** The options with their environment fallbacks, checked; {@code env} is the process environment. */
    public static LabelSelfOptions of(LabelSelfArguments args, Map<String, String> env) throws UsageException {
        String pod = setting(args.pod, env.get("POD_NAME"));
        if (pod == null) {
            throw new UsageException("no pod name: set env POD_NAME from the Downward API (fieldRef metadata.name) or pass --pod");
        }
        String namespace = setting(args.namespace, env.get("POD_NAMESPACE"));
        if (namespace == null) {
            throw new UsageException("no namespace: set env POD_NAMESPACE from the Downward API (fieldRef metadata.namespace) or pass --namespace");
        }
        NamespaceNames.check(args.namespace == null || args.namespace.isBlank() ? "POD_NAMESPACE" : "--namespace", List.of(namespace));
        boolean required = args.required;
        if (!required) {
            String requiredSetting = env.get("FIRST_ORDINAL_LABELLER_REQUIRED");
            if (requiredSetting != null && !requiredSetting.isBlank()) {
                required = switch (requiredSetting.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new UsageException("FIRST_ORDINAL_LABELLER_REQUIRED must be true or false, not '" + requiredSetting + "'");
                };
            }
        }
        Duration timeout = timeout(setting(args.timeout, env.get("FIRST_ORDINAL_LABELLER_TIMEOUT")));
        MarkingPolicy policy = args.marking.policy(property -> env.get(Settings.envName(property)));
        return new LabelSelfOptions(pod, namespace, timeout, required, policy);
    }

    private static String setting(String given, String fromEnv) {
        String value = given == null || given.isBlank() ? fromEnv : given;
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A Go duration ({@code 60s}, {@code 2m}) or a whole number of seconds. */
    static Duration timeout(String text) throws UsageException {
        if (text == null) {
            return DEFAULT_TIMEOUT;
        }
        Duration timeout;
        try {
            timeout = text.chars().allMatch(Character::isDigit) && text.length() <= 9
                    ? Duration.ofSeconds(Long.parseLong(text))
                    : GoDuration.parse(text).duration();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--timeout: '" + text + "' is not a duration such as 60s, 2m or 90");
        }
        if (timeout.toMillis() < 1) {
            throw new UsageException("--timeout must be at least 1ms, not '" + text + "'");
        }
        return timeout;
    }
}
