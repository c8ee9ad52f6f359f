package dev.firstordinal.labeller;

import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.UsageException;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * {@code label-self}: the init-container labeller for clusters without the webhook. Plain Java,
 * no Quarkus; see {@link LabelSelfArguments} for the options and {@code --help} for the exit codes.
 *
 * <p>By default it exits 0 even when it gives up (after a loud log line), so that a broken
 * labeller never keeps Redis from starting; {@code --required} makes giving up exit 1.
 */
@Command(name = "label-self", sortOptions = false,
        description = {"initContainer mode: label this pod if it is its StatefulSet's first ordinal (no webhook needed)", "",
                "Run as an initContainer of a Redis StatefulSet: labels its own pod for Velero backup when it "
                        + "is the StatefulSet's first ordinal, and removes first-ordinal's marks from other ordinals. "
                        + "Starts no HTTP server. Each option falls back to an environment variable, then a default.", ""},
        footer = {"", "Exit codes: 0 done, or gave up without --required; 1 gave up with --required; 2 bad options.",
                "Kubernetes access: in-cluster ServiceAccount, else KUBECONFIG / ~/.kube/config, else KUBERNETES_MASTER."})
public final class LabelSelfCommand implements CliCommand, Callable<Integer> {

    static final String PREFIX = "first-ordinal label-self: ";
    /** Extra time past {@code --timeout} for a request in flight before the command stops waiting for it. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private final Map<String, String> env;
    private final Function<Duration, KubernetesClient> clients;
    private final Retrier.Sleeper sleeper;
    private final LongSupplier nanoClock;
    private final PrintStream out;
    private final PrintStream log;

    @Mixin
    LabelSelfArguments arguments = new LabelSelfArguments();

    @Mixin
    HelpOption help = new HelpOption();

    public LabelSelfCommand() {
        this(System.getenv(), LabellerClient::create, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000),
                System::nanoTime, System.out, System.err);
    }

    /**
     * For tests: the environment, the client (the command closes it), time and the streams are injected.
     */
    LabelSelfCommand(Map<String, String> env, Function<Duration, KubernetesClient> clients, Retrier.Sleeper sleeper,
                     LongSupplier nanoClock, PrintStream out, PrintStream log) {
        this.env = env;
        this.clients = clients;
        this.sleeper = sleeper;
        this.nanoClock = nanoClock;
        this.out = out;
        this.log = log;
    }

    @Override
    public int run(List<String> args) {
        return CommandRunner.run(this, args, out, log);
    }

    /** Labels this pod, retrying until the timeout; usage errors are thrown, for {@link CommandRunner}. */
    @Override
    public Integer call() throws UsageException {
        LabelSelfOptions options = LabelSelfOptions.of(arguments, env);
        String pod = options.namespace() + "/" + options.podName();
        try {
            SelfLabeller.Result result = labelWithinDeadline(options);
            result.warnings().forEach(w -> log("WARNING: " + w));
            log(result.summary() + " (" + sinceJvmStart() + ")");
            return 0;
        } catch (Retrier.GaveUp e) {
            return gaveUp(options, pod, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return gaveUp(options, pod, "interrupted");
        } catch (RuntimeException e) {
            return gaveUp(options, pod, "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private SelfLabeller.Result labelWithinDeadline(LabelSelfOptions options) throws Retrier.GaveUp, InterruptedException {
        ExecutorService worker = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "label-self");
            thread.setDaemon(true);
            return thread;
        });
        KubernetesClient client = clients.apply(options.timeout());
        try {
            SelfLabeller labeller = new SelfLabeller(client, new FirstOrdinalRule(options.policy()));
            Retrier retrier = new Retrier(Backoff.standard(() -> ThreadLocalRandom.current().nextDouble()), options.timeout(),
                    nanoClock, sleeper, this::log);
            Future<SelfLabeller.Result> result = worker.submit(
                    () -> retrier.run(() -> labeller.labelOnce(options.namespace(), options.podName())));
            try {
                return result.get(options.timeout().plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                throw new Retrier.GaveUp("no answer from the API server within the " + options.timeout().toSeconds()
                        + " s timeout (plus " + GRACE.toSeconds() + " s grace)", null, 0);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Retrier.GaveUp gaveUp) {
                    throw gaveUp;
                }
                if (cause instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(cause);
            }
        } finally {
            worker.shutdownNow();
            client.close();
        }
    }

    private int gaveUp(LabelSelfOptions options, String pod, String why) {
        log("GAVE UP: " + why);
        if (options.required()) {
            log("pod " + pod + " is NOT marked for Velero backup; exiting 1 because --required is set");
            return 1;
        }
        log("pod " + pod + " is NOT marked for Velero backup; exiting 0 so the pod starts anyway "
                + "(set --required to fail instead)");
        return 0;
    }

    private void log(String message) {
        log.println(PREFIX + message);
    }

    private static String sinceJvmStart() {
        return ManagementFactory.getRuntimeMXBean().getUptime() + " ms after JVM start";
    }
}
