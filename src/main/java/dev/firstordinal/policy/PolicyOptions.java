package dev.firstordinal.policy;

import dev.firstordinal.cli.MarkingOptions;
import dev.firstordinal.cli.NamespaceNames;
import dev.firstordinal.cli.Settings;
import dev.firstordinal.cli.UsageException;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * What both policy commands must agree on: what a first-ordinal pod gets (the webhook's settings and
 * env variables), which namespaces opt in, and where the start-ordinal ConfigMap is.
 */
public final class PolicyOptions {

    @Mixin
    MarkingOptions marking = new MarkingOptions();
    @Option(names = "--namespace-label", paramLabel = "KEY=VALUE",
            description = "the label that opts a namespace in (env FIRST_ORDINAL_NAMESPACE_LABEL; default " + NamespaceLabel.DEFAULT + ")")
    String namespaceLabel;
    @Option(names = "--install-namespace", paramLabel = "NS", defaultValue = "${env:POD_NAMESPACE:-first-ordinal}",
            description = "the namespace first-ordinal is installed in: holds the ConfigMap and the Lease, never mutated (env POD_NAMESPACE; default first-ordinal)")
    String installNamespace;
    @Option(names = "--exclude-namespace", paramLabel = "NS", split = ",",
            description = "never mutated, whatever its labels (kube-system and the install namespace always are)")
    List<String> excluded = new ArrayList<>();
    @Option(names = "--config-map", paramLabel = "NAME", defaultValue = StartOrdinalParams.DEFAULT_NAME,
            description = "the start-ordinal ConfigMap (default ${DEFAULT-VALUE})")
    String configMap;

    MarkingPolicy marking() throws UsageException {
        checkNamespaces();
        return marking.policy();
    }

    FirstOrdinalRule rule() throws UsageException {
        checkNamespaces();
        return marking.rule();
    }

    /** The namespace options, as the API server would validate them: a bad one would be written into paramRef or a selector. */
    private void checkNamespaces() throws UsageException {
        NamespaceNames.check("--install-namespace", List.of(installNamespace));
        NamespaceNames.check("--exclude-namespace", excluded);
    }

    NamespaceLabel namespaceLabel() {
        return NamespaceLabel.parse(Settings.get(namespaceLabel, "first-ordinal.namespace-label", NamespaceLabel.DEFAULT));
    }

    List<String> excludedNamespaces() {
        List<String> all = new ArrayList<>(List.of("kube-system", installNamespace));
        excluded.stream().filter(ns -> !all.contains(ns)).forEach(all::add);
        return all;
    }

    PolicyManifests.Settings manifestSettings(String policyName) {
        return new PolicyManifests.Settings(policyName, namespaceLabel(), excludedNamespaces(), installNamespace, configMap);
    }

}
