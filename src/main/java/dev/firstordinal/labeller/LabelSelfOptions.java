package dev.firstordinal.labeller;

import dev.firstordinal.hook.GoDuration;
import dev.firstordinal.ordinal.MarkingPolicy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings of {@code label-self}. Each comes from a flag, else an environment variable, else
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

    /** Thrown for bad arguments or settings; the message is one line for stderr. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    static final String USAGE = """
            Usage: first-ordinal label-self [OPTIONS]

            Run as an initContainer of a Redis StatefulSet: labels its own pod for Velero backup when it
            is the StatefulSet's first ordinal, and removes first-ordinal's marks from other ordinals.
            Starts no HTTP server. Each option falls back to an environment variable, then a default.

            Options:
              --pod NAME             pod to label                     [POD_NAME]
              --namespace NS         its namespace                    [POD_NAMESPACE]
              --timeout DURATION     keep retrying API errors this long, e.g. 60s, 2m, or seconds
                                                                      [FIRST_ORDINAL_LABELLER_TIMEOUT, 60s]
              --required             exit 1 when giving up instead of 0 (by default a failing
                                     labeller never stops the pod)    [FIRST_ORDINAL_LABELLER_REQUIRED]
              --label-key KEY        backup label key                 [FIRST_ORDINAL_LABEL_KEY, velero-backup-schedule]
              --label-value VALUE    backup label value               [FIRST_ORDINAL_LABEL_VALUE, redis]
              --hook-on-error MODE   Fail or Continue                 [FIRST_ORDINAL_HOOK_ON_ERROR, Fail]
              --hook-timeout DURATION  Velero hook timeout, with a unit [FIRST_ORDINAL_HOOK_TIMEOUT, 300s]
              --help                 show this help

            Exit codes: 0 done, or gave up without --required; 1 gave up with --required; 2 bad options.
            Kubernetes access: in-cluster ServiceAccount, else KUBECONFIG / ~/.kube/config, else KUBERNETES_MASTER.""";

    private static final Map<String, String> VALUE_FLAGS = Map.of(
            "--pod", "POD_NAME",
            "--namespace", "POD_NAMESPACE",
            "--timeout", "FIRST_ORDINAL_LABELLER_TIMEOUT",
            "--label-key", "FIRST_ORDINAL_LABEL_KEY",
            "--label-value", "FIRST_ORDINAL_LABEL_VALUE",
            "--hook-on-error", "FIRST_ORDINAL_HOOK_ON_ERROR",
            "--hook-timeout", "FIRST_ORDINAL_HOOK_TIMEOUT");

    /** Whether the arguments ask for help rather than a run. */
    public static boolean wantsHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    public static LabelSelfOptions parse(List<String> args, Map<String, String> env) throws UsageException {
        Map<String, String> flags = new HashMap<>();
        boolean required = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--required")) {
                required = true;
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!VALUE_FLAGS.containsKey(name)) {
                throw new UsageException("unknown option '" + arg + "'; run 'label-self --help' for the options");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(name + " needs a value");
                }
                value = args.get(++i);
            }
            flags.put(name, value);
        }
        Function<String, String> setting = flag -> {
            String value = flags.get(flag);
            if (value == null || value.isBlank()) {
                value = env.get(VALUE_FLAGS.get(flag));
            }
            return value == null || value.isBlank() ? null : value.trim();
        };
        String pod = setting.apply("--pod");
        if (pod == null) {
            throw new UsageException("no pod name: set env POD_NAME from the Downward API (fieldRef metadata.name) or pass --pod");
        }
        String namespace = setting.apply("--namespace");
        if (namespace == null) {
            throw new UsageException("no namespace: set env POD_NAMESPACE from the Downward API (fieldRef metadata.namespace) or pass --namespace");
        }
        if (!required) {
            String requiredSetting = env.get("FIRST_ORDINAL_LABELLER_REQUIRED");
            if (requiredSetting != null && !requiredSetting.isBlank()) {
                required = switch (requiredSetting.trim().toLowerCase()) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new UsageException("FIRST_ORDINAL_LABELLER_REQUIRED must be true or false, not '" + requiredSetting + "'");
                };
            }
        }
        Duration timeout = timeout(setting.apply("--timeout"));
        MarkingPolicy policy;
        try {
            policy = MarkingPolicy.of(
                    orDefault(setting.apply("--label-key"), MarkingPolicy.DEFAULT_LABEL_KEY),
                    orDefault(setting.apply("--label-value"), MarkingPolicy.DEFAULT_LABEL_VALUE),
                    orDefault(setting.apply("--hook-on-error"), "Fail"),
                    orDefault(setting.apply("--hook-timeout"), "300s"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new LabelSelfOptions(pod, namespace, timeout, required, policy);
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

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }
}
