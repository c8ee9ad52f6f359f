package dev.firstordinal.cli;

import dev.firstordinal.hook.HookMode;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.ReplicaTier;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The options that say what a first-ordinal pod gets, as a picocli {@code @Mixin} for every
 * command that decides about pods: the same settings, and the same env variables, as the webhook's.
 * An option not given falls back to the system property ({@code first-ordinal.label.key}), then its
 * environment variable ({@code FIRST_ORDINAL_LABEL_KEY}), then the default (see {@link Settings}).
 */
public final class MarkingOptions {

    static final String LABEL_KEY = "first-ordinal.label.key";
    static final String LABEL_VALUE = "first-ordinal.label.value";
    static final String HOOK_ON_ERROR = "first-ordinal.hook.on-error";
    static final String HOOK_TIMEOUT = "first-ordinal.hook.timeout";
    static final String REPLICA_TIER = "first-ordinal.replica-tier-labels";
    static final String HOOK_MODE = "first-ordinal.hook.mode";

    @Option(names = "--label-key", paramLabel = "KEY",
            description = "backup label key (env FIRST_ORDINAL_LABEL_KEY; default " + MarkingPolicy.DEFAULT_LABEL_KEY + ")")
    String labelKey;

    @Option(names = "--label-value", paramLabel = "VALUE",
            description = "backup label value (env FIRST_ORDINAL_LABEL_VALUE; default " + MarkingPolicy.DEFAULT_LABEL_VALUE + ")")
    String labelValue;

    @Option(names = "--hook-on-error", paramLabel = "MODE", completionCandidates = OnErrorModes.class,
            description = "Fail or Continue (env FIRST_ORDINAL_HOOK_ON_ERROR; default Fail)")
    String hookOnError;

    @Option(names = "--hook-timeout", paramLabel = "DURATION",
            description = "Velero hook timeout, a Go duration (env FIRST_ORDINAL_HOOK_TIMEOUT; default 300s)")
    String hookTimeout;

    @Option(names = "--hook-mode", paramLabel = "MODE",
            description = "where the hook lives: annotations (on the pod) or schedule (in the Velero Schedule that"
                    + " `first-ordinal schedule` renders; pods get only labels) (env FIRST_ORDINAL_HOOK_MODE; default annotations)")
    String hookMode;

    @Option(names = "--replica-tier-labels", paramLabel = "KEY=VALUE[,...]",
            description = "pod labels of a shard's replica tier, left alone; none: no such rule"
                    + " (env FIRST_ORDINAL_REPLICA_TIER_LABELS; default " + ReplicaTier.DEFAULT_SETTING + ")")
    String replicaTierLabels;

    /** The rule for the given options, the rest from system properties, the environment and defaults. */
    public FirstOrdinalRule rule() throws UsageException {
        return new FirstOrdinalRule(policy());
    }

    /** The policy for the given options, the rest from system properties, the environment and defaults. */
    public MarkingPolicy policy() throws UsageException {
        return policy(property -> Settings.get(property, null));
    }

    /**
     * The policy for the given options, the rest from {@code setting} (a property name such as
     * {@code first-ordinal.label.key} to its value, or null) and the defaults.
     */
    public MarkingPolicy policy(UnaryOperator<String> setting) throws UsageException {
        try {
            return MarkingPolicy.of(
                    value(labelKey, setting.apply(LABEL_KEY), MarkingPolicy.DEFAULT_LABEL_KEY),
                    value(labelValue, setting.apply(LABEL_VALUE), MarkingPolicy.DEFAULT_LABEL_VALUE),
                    value(hookOnError, setting.apply(HOOK_ON_ERROR), "Fail"),
                    value(hookTimeout, setting.apply(HOOK_TIMEOUT), "300s"),
                    value(replicaTierLabels, setting.apply(REPLICA_TIER), ReplicaTier.DEFAULT_SETTING),
                    value(hookMode, setting.apply(HOOK_MODE), HookMode.ANNOTATIONS.setting()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static String value(String given, String setting, String defaultValue) {
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        return setting == null || setting.isBlank() ? defaultValue : setting.trim();
    }

    /** The values completion offers for --hook-on-error: Velero's. */
    static final class OnErrorModes implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("Fail", "Continue").iterator();
        }
    }
}
