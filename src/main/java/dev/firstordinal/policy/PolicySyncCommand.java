package dev.firstordinal.policy;

import dev.firstordinal.cluster.LeaseElection;
import dev.firstordinal.cluster.PodIdentity;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code policy-sync}: keeps the start-ordinal ConfigMap the policy reads, and backfills the first
 * ordinals of sets that start elsewhere than 0. Runs until it loses its Lease (exit 1, so that its
 * Deployment restarts it) or is stopped (exit 0, releasing the Lease).
 */
@Command(name = "policy-sync", sortOptions = false,
        description = {"policy mode: keep the start-ordinal ConfigMap the policy reads; mark what it could not see yet", "",
                "Lists every opted-in StatefulSet whose spec.ordinals.start is not 0 in the ConfigMap the "
                        + "MutatingAdmissionPolicy reads (paramRef), and marks first ordinals created before the policy could see "
                        + "their set. One replica works at a time (a Lease); see docs/policy.md. RBAC: list/watch statefulsets and "
                        + "namespaces, list/patch pods; in the install namespace create configmaps and leases, get/update the "
                        + "ConfigMap, get/update/patch the Lease.", ""},
        footer = {"", "Exit codes: 0 stopped (the Lease released); 1 lost the Lease or failed; 2 bad arguments."})
public final class PolicySyncCommand implements CliCommand, Callable<Integer> {

    static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    @Mixin
    PolicyOptions options = new PolicyOptions();

    @Option(names = "--lease", paramLabel = "NAME", defaultValue = "first-ordinal-policy-sync",
            description = "the Lease, in the install namespace (default ${DEFAULT-VALUE})")
    String lease;

    @Option(names = "--identity", paramLabel = "ID",
            description = "this replica's Lease identity (default: env POD_NAME, else HOSTNAME, else a random one)")
    String identity;

    @Mixin
    HelpOption help = new HelpOption();

    @Spec
    CommandSpec spec;

    @Override
    public int run(List<String> args) {
        return CommandRunner.run(this, args, System.out, System.err);
    }

    @Override
    public Integer call() throws Exception {
        StartOrdinalSync.Target target;
        FirstOrdinalRule rule;
        try {
            rule = options.rule();
            target = new StartOrdinalSync.Target(options.installNamespace, options.configMap, options.namespaceLabel(),
                    Set.copyOf(options.excludedNamespaces()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintStream log = System.err;
        KubernetesClient client = new KubernetesClientBuilder().build();
        LeaseElection.Lease held = new LeaseElection.Lease(options.installNamespace, lease,
                identity != null ? identity : PodIdentity.identity(System.getenv()), LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
        PolicySync sync = new PolicySync(client, new StartOrdinalSync(client, target, rule, log), held, PolicySync.Timing.defaults());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sync.close();
            client.close();
        }, "first-ordinal-policy-sync-stop"));
        sync.start();
        PolicySync.End end = sync.ended().get();
        if (end.stopped()) {
            return 0;
        }
        log.println("first-ordinal policy-sync: " + end.why() + "; exiting so that a restart competes again");
        return 1;
    }
}
