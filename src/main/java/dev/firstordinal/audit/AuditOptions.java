package dev.firstordinal.audit;

import dev.firstordinal.cli.MarkingOptions;
import dev.firstordinal.cli.NamespaceNames;
import dev.firstordinal.cli.OutputFormat;
import dev.firstordinal.cli.Settings;
import dev.firstordinal.cli.UsageException;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The audit command's options, a picocli mixin of {@link AuditCommand}. After parsing,
 * {@link #check()} validates them and fills the derived fields ({@link #json}, {@link #namespaceLabel},
 * {@link #rule}).
 */
final class AuditOptions {

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", split = ",",
            description = "audit only these namespaces (repeat or comma-separate)")
    List<String> givenNamespaces;

    @Option(names = {"-A", "--all-namespaces"},
            description = "audit every opted-in namespace (see --namespace-label): the default")
    boolean allNamespaces;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", completionCandidates = Formats.class, description = "table (default), json or yaml (the same fields)")
    String output;

    @Option(names = "--fix", description = "add the label and hook to first-ordinal pods that lack them, refresh first-ordinal's own stale hooks; remove the backup "
            + "label and first-ordinal's hook from other ordinals, never a label the StatefulSet's selector uses (those are reported)")
    boolean fix;

    @Option(names = "--dry-run", description = "with --fix: print every patch, change nothing")
    boolean dryRun;

    @Option(names = "--namespace-label", paramLabel = "K=V",
            description = "the opt-in label (env FIRST_ORDINAL_NAMESPACE_LABEL; default " + NamespaceLabel.DEFAULT + ")")
    String givenNamespaceLabel;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "the kubeconfig (default: $KUBECONFIG, else ~/.kube/config, "
            + "else the pod's service account)")
    java.nio.file.Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "the kubeconfig context (default: its current context)")
    String context;

    @Mixin
    MarkingOptions marking = new MarkingOptions();

    /** The namespaces of --namespace, trimmed; empty means every opted-in one. */
    List<String> namespaces;
    /** The table, or JSON's fields as JSON or YAML. */
    OutputFormat format;
    /** JSON's fields, printed as {@link #format}. */
    boolean json;
    NamespaceLabel namespaceLabel;
    FirstOrdinalRule rule;

    /** Checks the parsed options together and fills the derived fields. */
    AuditOptions check() throws UsageException {
        namespaces = givenNamespaces == null ? List.of()
                : givenNamespaces.stream().map(String::trim).filter(n -> !n.isEmpty()).toList();
        if (allNamespaces && !namespaces.isEmpty()) {
            throw new UsageException("--namespace and --all-namespaces exclude each other");
        }
        if (givenNamespaces != null && namespaces.isEmpty()) {
            throw new UsageException("--namespace needs a namespace name");
        }
        NamespaceNames.check("--namespace", namespaces);
        format = OutputFormat.of(output, "table");
        json = format != OutputFormat.HUMAN;
        if (dryRun && !fix) {
            throw new UsageException("--dry-run goes with --fix (the audit alone changes nothing)");
        }
        try {
            namespaceLabel = NamespaceLabel.parse(Settings.get(givenNamespaceLabel, "first-ordinal.namespace-label",
                    NamespaceLabel.DEFAULT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        rule = marking.rule();
        return this;
    }

    /** The values completion offers for -o. */
    static final class Formats implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return OutputFormat.names("table").iterator();
        }
    }
}
