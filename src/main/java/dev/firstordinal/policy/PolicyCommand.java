package dev.firstordinal.policy;

import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.ManifestYaml;
import dev.firstordinal.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code policy}: prints the MutatingAdmissionPolicy and its binding for the given settings, for
 * {@code kubectl apply -f -}. The shipped manifests are this command's output with the defaults.
 */
@Command(name = "policy", sortOptions = false,
        description = {"print the MutatingAdmissionPolicy and binding of policy mode (Kubernetes 1.36+, no webhook)", "",
                "Prints the policy that does the webhook's work inside the API server, rendered from the same rules, label "
                        + "and hook, and its binding; see docs/policy.md. Apply with: first-ordinal policy | kubectl apply -f -", ""},
        footer = {"", "Exit codes: 0 printed; 2 bad arguments."})
public final class PolicyCommand implements CliCommand, Callable<Integer> {

    @Mixin
    PolicyOptions options = new PolicyOptions();

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "first-ordinal",
            description = "name of the policy and of its binding (default ${DEFAULT-VALUE})")
    String name;

    @Mixin
    HelpOption help = new HelpOption();

    @Spec
    CommandSpec spec;

    @Override
    public int run(List<String> args) {
        return CommandRunner.run(this, args, System.out, System.err);
    }

    @Override
    public Integer call() throws UsageException {
        return ManifestYaml.print(spec, () -> PolicyManifests.yaml(options.marking(), options.manifestSettings(name)));
    }
}
