package dev.firstordinal.policy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code policy-sync}: keeps the start-ordinal ConfigMap the policy reads, and backfills the first
 * ordinals of sets that start elsewhere than 0. Runs until it loses its Lease (exit 1, so that its
 * Deployment restarts it) or is stopped (exit 0, releasing the Lease).
 */
@Command(name = "policy-sync", mixinStandardHelpOptions = true,
        description = {"Policy mode's helper: list every opted-in StatefulSet whose spec.ordinals.start is not 0 in the",
                "start-ordinal ConfigMap the MutatingAdmissionPolicy reads, and mark the first ordinals it created",
                "before the policy could see them. One replica works at a time (a Lease); see docs/policy.md.",
                "Needs: list/watch statefulsets and namespaces, list/patch pods; get/create/update the ConfigMap",
                "and the Lease in the install namespace."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped (the Lease released)", "1:lost the Lease or failed", "2:bad arguments"})
public final class PolicySyncCommand implements Callable<Integer> {

    @Mixin
    PolicyOptions options = new PolicyOptions();

    @Option(names = "--lease", paramLabel = "NAME", defaultValue = "first-ordinal-policy-sync",
            description = "the Lease, in the install namespace (default ${DEFAULT-VALUE})")
    String lease;

    @Option(names = "--identity", paramLabel = "ID", defaultValue = "${env:POD_NAME:-${env:HOSTNAME:-policy-sync}}",
            description = "this replica's Lease identity (env POD_NAME, else HOSTNAME)")
    String identity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StartOrdinalSync.Target target;
        PolicySync.Timing timing = PolicySync.Timing.defaults();
        dev.firstordinal.ordinal.FirstOrdinalRule rule;
        try {
            rule = options.rule();
            target = new StartOrdinalSync.Target(options.installNamespace, options.configMap, options.namespaceLabel(),
                    Set.copyOf(options.excludedNamespaces()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream log = System.err;
        KubernetesClient client = new KubernetesClientBuilder().build();
        PolicySync sync = new PolicySync(client, new StartOrdinalSync(client, target, rule, log), options.installNamespace, lease, identity, timing);
        Thread stop = new Thread(() -> {
            sync.close();
            client.close();
        }, "first-ordinal-policy-sync-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        sync.start();
        String why = sync.lost().get();
        log.println("first-ordinal policy-sync: " + why + "; exiting so that a restart competes again");
        return 1;
    }
}
