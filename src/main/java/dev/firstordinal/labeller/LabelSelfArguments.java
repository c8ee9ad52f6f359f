package dev.firstordinal.labeller;

import dev.firstordinal.cli.MarkingOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code label-self} options as parsed, a picocli mixin; {@link LabelSelfOptions#of} adds the
 * environment fallbacks and checks them. An option not given (or blank) falls back to the variable in brackets.
 */
public final class LabelSelfArguments {

    @Option(names = "--pod", paramLabel = "NAME", description = "pod to label [POD_NAME]")
    String pod;

    @Option(names = "--namespace", paramLabel = "NS", description = "its namespace [POD_NAMESPACE]")
    String namespace;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "keep retrying API errors this long, e.g. 60s, 2m, or seconds [FIRST_ORDINAL_LABELLER_TIMEOUT, 60s]")
    String timeout;

    @Option(names = "--required", description = "exit 1 when giving up instead of 0 (by default a failing labeller never "
            + "stops the pod) [FIRST_ORDINAL_LABELLER_REQUIRED]")
    boolean required;

    @Mixin
    MarkingOptions marking = new MarkingOptions();
}
