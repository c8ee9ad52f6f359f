package dev.firstordinal.policy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/**
 * {@code policy}: prints the MutatingAdmissionPolicy and its binding for the given settings, for
 * {@code kubectl apply -f -}. The shipped manifests are this command's output with the defaults.
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"Print the MutatingAdmissionPolicy and binding that do the webhook's work inside the API server",
                "(Kubernetes 1.36+; see docs/policy.md). Apply with: first-ordinal policy | kubectl apply -f -"})
public final class PolicyCommand implements Callable<Integer> {

    @Mixin
    PolicyOptions options = new PolicyOptions();

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "first-ordinal",
            description = "name of the policy and of its binding (default ${DEFAULT-VALUE})")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String yaml;
        try {
            yaml = PolicyManifests.yaml(options.marking(), options.manifestSettings(name));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        spec.commandLine().getOut().print(yaml);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
