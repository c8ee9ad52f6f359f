package dev.firstordinal.cli;

import java.util.List;

/**
 * The one place that lists the jar's commands other than {@code serve} and {@code completion}:
 * to add a command, write a picocli {@code @Command} class implementing {@link CliCommand} (and
 * {@code Callable<Integer>}, run through {@link CommandRunner}) and add it here. Its name, summary,
 * {@code --help} and options then show in the top-level help and in the generated shell completion.
 */
public final class Commands {

    private Commands() {
    }

    /** Every plain-Java command, in the order the top-level help lists them. */
    public static List<CliCommand> all() {
        return List.of(new dev.firstordinal.certs.CertsCommand(), new dev.firstordinal.audit.AuditCommand(),
                new dev.firstordinal.preview.PreviewCommand(), new dev.firstordinal.labeller.LabelSelfCommand(),
                new dev.firstordinal.policy.PolicyCommand(), new dev.firstordinal.policy.PolicySyncCommand(),
                new dev.firstordinal.schedule.ScheduleCommand());
    }
}
