package dev.firstordinal.audit;

import dev.firstordinal.cli.Args;
import dev.firstordinal.cli.MarkingOptions;
import dev.firstordinal.cli.Settings;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.FirstOrdinalRule;

import java.util.List;

/** The audit command's parsed options. */
/** Parsed options; {@code null} from {@link #parse} means --help. */
final class AuditOptions {
    List<String> namespaces;
    boolean allNamespaces;
    boolean json;
    boolean fix;
    boolean dryRun;
    NamespaceLabel namespaceLabel;
    FirstOrdinalRule rule;

    static AuditOptions parse(List<String> argv) throws Args.UsageException {
        Args args = MarkingOptions.addTo(Args.spec()
                .value("--namespace", "-n")
                .flag("--all-namespaces", "-A")
                .value("--output", "-o")
                .flag("--fix")
                .flag("--dry-run")
                .value("--namespace-label")
                .flag("--help", "-h"))
                .parse(argv);
        if (args.has("--help")) {
            return null;
        }
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "'");
        }
        AuditOptions options = new AuditOptions();
        options.namespaces = args.values("--namespace");
        options.allNamespaces = args.has("--all-namespaces");
        if (options.allNamespaces && !options.namespaces.isEmpty()) {
            throw new Args.UsageException("--namespace and --all-namespaces exclude each other");
        }
        if (args.has("--namespace") && options.namespaces.isEmpty()) {
            throw new Args.UsageException("--namespace needs a namespace name");
        }
        String output = args.value("--output").orElse("table");
        if (!output.equals("table") && !output.equals("json")) {
            throw new Args.UsageException("output format '" + output + "' is not table or json");
        }
        options.json = output.equals("json");
        options.fix = args.has("--fix");
        options.dryRun = args.has("--dry-run");
        if (options.dryRun && !options.fix) {
            throw new Args.UsageException("--dry-run goes with --fix (the audit alone changes nothing)");
        }
        try {
            options.namespaceLabel = NamespaceLabel.parse(Settings.get(args, "--namespace-label",
                    "first-ordinal.namespace-label", NamespaceLabel.DEFAULT));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        options.rule = MarkingOptions.rule(args);
        return options;
    }
}
