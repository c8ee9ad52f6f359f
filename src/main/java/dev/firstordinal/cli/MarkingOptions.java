package dev.firstordinal.cli;

import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;

/**
 * The options that say what a first-ordinal pod gets, shared by the commands that decide about
 * pods (audit, preview): the same settings, and the same env variables, as the webhook's.
 */
public final class MarkingOptions {

    public static final String HELP = """
                  --label-key KEY        backup label key (env FIRST_ORDINAL_LABEL_KEY; default velero-backup-schedule)
                  --label-value VALUE    backup label value (env FIRST_ORDINAL_LABEL_VALUE; default redis)
                  --hook-on-error MODE   Fail or Continue (env FIRST_ORDINAL_HOOK_ON_ERROR; default Fail)
                  --hook-timeout DUR     hook timeout, a Go duration (env FIRST_ORDINAL_HOOK_TIMEOUT; default 300s)
            """;

    private MarkingOptions() {
    }

    public static Args.Spec addTo(Args.Spec spec) {
        return spec.value("--label-key").value("--label-value").value("--hook-on-error").value("--hook-timeout");
    }

    public static FirstOrdinalRule rule(Args args) throws Args.UsageException {
        try {
            return new FirstOrdinalRule(MarkingPolicy.of(
                    Settings.get(args, "--label-key", "first-ordinal.label.key", MarkingPolicy.DEFAULT_LABEL_KEY),
                    Settings.get(args, "--label-value", "first-ordinal.label.value", MarkingPolicy.DEFAULT_LABEL_VALUE),
                    Settings.get(args, "--hook-on-error", "first-ordinal.hook.on-error", "Fail"),
                    Settings.get(args, "--hook-timeout", "first-ordinal.hook.timeout", "300s")));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }
}
