package dev.firstordinal.audit;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.ClusterAccess;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.UsageException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code audit}: is every shard covered? One row per StatefulSet of the audited namespaces, exit
 * 1 when any is uncovered or overcovered. {@code --fix} backfills live pods (see {@link Backfill});
 * {@code --fix --dry-run} prints the patches and changes nothing.
 */
@Command(name = "audit", sortOptions = false,
        description = {"check that every StatefulSet has exactly one pod marked for backup; --fix backfills", "",
                "Checks that every StatefulSet has exactly one pod marked for backup: its first ordinal's "
                        + "(spec.ordinals.start). One row per StatefulSet: the first-ordinal pod, its backup label, hook "
                        + "and hook container, other ordinals that carry the label, the first ordinal's PVCs, and a state:",
                "  covered      the first-ordinal pod has the label, a hook command and the hook's container",
                "  uncovered    the first-ordinal pod is missing, or lacks the label, the hook or its container",
                "  overcovered  covered, but another ordinal carries the backup label too",
                "  skipped      the pod (template) has first-ordinal.dev/skip: \"true\" or a replica-tier label", ""},
        footer = {"", "Exit codes: 0 every StatefulSet covered or skipped; 1 something uncovered or overcovered (after --fix: "
                + "still, or a patch failed), or a --namespace that does not exist or has not opted in; 2 bad arguments; "
                + "3 the cluster could not be read.",
                "Cluster access: --kubeconfig, else $KUBECONFIG or ~/.kube/config, else the in-cluster service account; "
                        + "no retries. RBAC: list "
                        + "namespaces (-A), list statefulsets, pods, persistentvolumeclaims; patch pods for --fix."})
public final class AuditCommand implements CliCommand, Callable<Integer> {

    /** The cluster could not be read (or a list failed): distinct from "something is uncovered". */
    public static final int CLUSTER_ERROR = 3;

    @Mixin
    AuditOptions options = new AuditOptions();

    @Mixin
    HelpOption help = new HelpOption();

    private static final ObjectMapper JSON = Json.MAPPER;

    private final Supplier<KubernetesClient> clients;
    private final PrintStream out;
    private final PrintStream err;

    public AuditCommand() {
        this(null, System.out, System.err);
    }

    /** @param clients makes the client the command uses and closes; null: from --kubeconfig and --context ({@link ClusterAccess}) */
    public AuditCommand(Supplier<KubernetesClient> clients, PrintStream out, PrintStream err) {
        this.clients = clients;
        this.out = out;
        this.err = err;
    }

    /** The same command writing to other streams (tests). */
    public AuditCommand withStreams(PrintStream out, PrintStream err) {
        return new AuditCommand(clients, out, err);
    }

    @Override
    public int run(List<String> argv) {
        return CommandRunner.run(this, argv, out, err);
    }

    /** Audits (and with --fix backfills); usage errors are thrown, for {@link CommandRunner}. */
    @Override
    public Integer call() throws UsageException {
        AuditOptions options = this.options.check();
        KubernetesClient client;
        try {
            client = clients != null ? clients.get() : ClusterAccess.client(options.kubeconfig, options.context);
        } catch (ClusterAccess.NoCluster e) {
            err.println("first-ordinal audit: " + e.getMessage());
            return CLUSTER_ERROR;
        } catch (KubernetesClientException e) {
            err.println("first-ordinal audit: no usable Kubernetes configuration: " + describe(e));
            return CLUSTER_ERROR;
        }
        try (client) {
            return audit(client, options);
        } catch (KubernetesClientException e) {
            err.println("first-ordinal audit: cannot read the cluster at " + client.getMasterUrl() + ": " + describe(e));
            return CLUSTER_ERROR;
        }
    }

    /**
     * Namespace by namespace, a batch of StatefulSets at a time (see {@link ClusterReader}): with
     * {@code --fix} a first pass plans and applies the fixes and a second one reads the result; only
     * the report's rows and the fixes are kept, never the pods.
     */
    private int audit(KubernetesClient client, AuditOptions options) {
        ClusterReader reader = new ClusterReader(client, new SharedValues(options.rule.policy()));
        List<String> namespaces = namespaces(reader, options);
        boolean namespaceProblem = !options.namespaces.isEmpty() && !namedNamespacesExistAndOptedIn(reader, options);
        Optional<ObjectNode> backfillJson = Optional.empty();
        boolean patchFailed = false;
        List<ShardCoverage> rows = new ArrayList<>();
        boolean reread = false;
        if (options.fix) {
            List<PodFix> fixes = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (String namespace : namespaces) {
                reader.read(namespace, batch -> {
                    Backfill.Plan plan = Backfill.plan(batch, options.rule);
                    fixes.addAll(plan.fixes());
                    kept.addAll(plan.kept());
                    if (!options.dryRun) {
                        failures.addAll(apply(client, plan));
                    }
                    // Without a patch sent the batch is still what the cluster holds: report it now rather than read it again.
                    if (options.dryRun || plan.fixes().isEmpty()) {
                        batch.forEach(s -> rows.add(CoverageCheck.of(s, options.rule)));
                    }
                });
            }
            Backfill.Plan plan = new Backfill.Plan(fixes, kept);
            patchFailed = !failures.isEmpty();
            if (options.json) {
                backfillJson = Optional.of(BackfillReport.json(JSON, plan, options.dryRun, failures));
            } else {
                BackfillReport.print(out, plan, options.dryRun, failures);
            }
            reread = !options.dryRun && !fixes.isEmpty();
        }
        if (!options.fix || reread) {
            rows.clear();
            for (String namespace : namespaces) {
                reader.read(namespace, batch -> batch.forEach(s -> rows.add(CoverageCheck.of(s, options.rule))));
            }
        }
        CoverageReport report = new CoverageReport(namespaces, rows);
        if (options.json) {
            ObjectNode root = report.json(JSON);
            backfillJson.ifPresent(b -> root.set("backfill", b));
            out.print(options.format.print(root));
        } else {
            out.print(report.table());
        }
        return report.hasProblems() || patchFailed || namespaceProblem ? 1 : 0;
    }

    /**
     * Says on stderr which {@code --namespace} does not exist or has not opted in; false when any.
     * Without the right to list namespaces (a namespaced Role) it cannot tell, and says nothing.
     */
    private boolean namedNamespacesExistAndOptedIn(ClusterReader reader, AuditOptions options) {
        Optional<java.util.Map<String, java.util.Map<String, String>>> found = reader.namespaceLabels(options.namespaces);
        if (found.isEmpty()) {
            return true;
        }
        boolean fine = true;
        for (String namespace : options.namespaces) {
            java.util.Map<String, String> labels = found.get().get(namespace);
            if (labels == null) {
                err.println("first-ordinal audit: namespace " + namespace + " does not exist");
                fine = false;
            } else if (!options.namespaceLabel.matches(labels)) {
                err.println("first-ordinal audit: namespace " + namespace + " has not opted in (no label " + options.namespaceLabel
                        + "): the webhook marks no pod there");
                fine = false;
            }
        }
        return fine;
    }

    /** {@code --namespace}'s namespaces, else every opted-in one (also with {@code --all-namespaces}). */
    private List<String> namespaces(ClusterReader reader, AuditOptions options) {
        if (!options.namespaces.isEmpty()) {
            return options.namespaces;
        }
        List<String> optedIn = reader.optedInNamespaces(options.namespaceLabel);
        if (optedIn.isEmpty()) {
            err.println("first-ordinal audit: no namespace has the label " + options.namespaceLabel
                    + "; label the namespaces to back up, or set --namespace-label");
        }
        return optedIn;
    }

    /** Applies each fix; returns one line per failure. A failed patch does not stop the others. */
    private static List<String> apply(KubernetesClient client, Backfill.Plan plan) {
        List<String> failures = new ArrayList<>();
        for (PodFix fix : plan.fixes()) {
            PodFixes.apply(client, fix).ifPresent(failures::add);
        }
        return failures;
    }

    /** One line: the API server's status message, or what went wrong underneath (DNS, TLS, connection). */
    static String describe(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + flat(e.getStatus().getMessage());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // The client's own text ("Operation: [list] for kind: [Namespace] ...") says nothing: the cause does.
        String message = root == e ? flat(e.getMessage())
                : root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + flat(root.getMessage()));
        return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + message;
    }

    private static String flat(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").trim();
    }
}
