package dev.firstordinal.schedule;

import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.ManifestYaml;
import dev.firstordinal.cli.MarkingOptions;
import dev.firstordinal.cli.UsageException;
import dev.firstordinal.hook.HookContainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code schedule}: prints the Velero Schedule of the schedule hook mode ({@link VeleroSchedule}) for the given
 * label and hook settings, for {@code kubectl apply -f -}. deploy/velero/schedule-hooks.yaml is this command's
 * output with the defaults.
 */
@Command(name = "schedule", sortOptions = false,
        description = {"print the Velero Schedule that holds the hook (hook mode schedule)", "",
                "Prints a Velero Schedule that backs up the pods first-ordinal labels and runs the hook (HookScript's, with "
                        + "the same on-error and timeout settings) in the container each pod's label names; see docs/hook.md. "
                        + "Apply with: first-ordinal schedule | kubectl apply -f -", ""},
        footer = {"", "Exit codes: 0 printed; 2 bad arguments."})
public final class ScheduleCommand implements CliCommand, Callable<Integer> {

    @Mixin
    MarkingOptions marking = new MarkingOptions();

    @Option(names = "--name", paramLabel = "NAME", defaultValue = VeleroSchedule.DEFAULT_NAME,
            description = "the Schedule's name (default ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--velero-namespace", paramLabel = "NS", defaultValue = VeleroSchedule.DEFAULT_NAMESPACE,
            description = "Velero's namespace (default ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--cron", paramLabel = "EXPR", defaultValue = VeleroSchedule.DEFAULT_CRON,
            description = "the Schedule's cron expression (default \"${DEFAULT-VALUE}\")")
    String cron;

    @Option(names = "--containers", paramLabel = "NAME[,...]", split = ",",
            description = "container names the hook may run in, one hook entry each (default redis,valkey; add the name"
                    + " of any other container first-ordinal.dev/container names)")
    List<String> containers = HookContainer.REDIS_NAMES;

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
        return ManifestYaml.print(spec, () -> new VeleroSchedule(name, namespace, cron, containers.stream().map(String::trim).toList()).yaml(marking.policy()));
    }
}
