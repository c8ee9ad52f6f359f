package dev.firstordinal.cli;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs one picocli command object: the single place where every command's usage errors get their
 * form. A parse error or a {@link UsageException} prints one line saying what was wrong and the hint
 * {@code Try 'first-ordinal <cmd> --help' for the options.} on stderr, and exits
 * {@link CliCommand#USAGE_ERROR}; {@code --help} prints the generated usage on stdout, exit 0.
 * Arguments are taken literally: no {@code @file} expansion.
 */
public final class CommandRunner {

    private CommandRunner() {
    }

    /**
     * The picocli command line of a command object, with the shared usage-error handling. The
     * handlers serve its subcommands too (picocli calls the top level's), naming the command that
     * failed by its full name ({@code first-ordinal audit}).
     */
    public static CommandLine commandLine(Object command, PrintStream err) {
        CommandLine cli = new CommandLine(command);
        cli.setCommandName(TopLevel.NAME + " " + cli.getCommandName());
        cli.setErr(new PrintWriter(err, true));
        cli.setExpandAtFiles(false); // an argument such as -f @x.yaml is a file name, as before picocli
        cli.setUsageHelpAutoWidth(true); // wrap help at the terminal's width, not at 80 columns
        cli.setParameterExceptionHandler((e, args) -> usage(err, e.getCommandLine(), message(e)));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof UsageException usage) {
                return usage(err, commandLine, usage.getMessage());
            }
            err.println(name(commandLine) + ": " + e.getMessage());
            return 1;
        });
        return cli;
    }

    /**
     * Parses {@code args} into {@code command} and calls it; its result is the exit code. Any other
     * exception from the call prints {@code first-ordinal <cmd>: <message>}, exit 1.
     */
    public static <T extends Callable<Integer>> int run(T command, List<String> args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(command, err);
        cli.setOut(new PrintWriter(out, true));
        return cli.execute(args.toArray(String[]::new));
    }

    private static int usage(PrintStream err, CommandLine cli, String message) {
        String name = name(cli);
        err.println(name + ": " + message);
        err.println("Try '" + name + " --help' for " + (cli.getSubcommands().isEmpty() ? "the options." : "the commands."));
        return CliCommand.USAGE_ERROR;
    }

    /** {@code first-ordinal audit} for a subcommand, {@code first-ordinal} for the top level. */
    private static String name(CommandLine cli) {
        return cli.getParent() == null ? cli.getCommandName() : cli.getCommandSpec().qualifiedName();
    }

    /**
     * The first line of picocli's message, with picocli's closest suggestion for a mistyped option; an
     * unknown command (also in {@code help COMMAND}) is named, with the closest command.
     */
    private static String message(CommandLine.ParameterException e) {
        CommandLine cli = e.getCommandLine();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !cli.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return unknownCommand(unmatched.getUnmatched().get(0), unmatched);
        }
        java.util.regex.Matcher help = HELP_UNKNOWN.matcher(String.valueOf(e.getMessage()));
        if (!(e instanceof CommandLine.UnmatchedArgumentException) && help.matches() && !cli.getSubcommands().isEmpty()) {
            return unknownCommand(help.group(1), new CommandLine.UnmatchedArgumentException(cli, List.of(help.group(1))));
        }
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            return firstLine(e.getMessage()) + didYouMean(unmatched);
        }
        return firstLine(e.getMessage());
    }

    /** picocli's HelpCommand's message for {@code help NAME} with no such command. */
    private static final java.util.regex.Pattern HELP_UNKNOWN = java.util.regex.Pattern.compile("Unknown subcommand '(.*)'\\.");

    private static String unknownCommand(String name, CommandLine.UnmatchedArgumentException unmatched) {
        return "unknown command '" + name + "'" + didYouMean(unmatched);
    }

    private static String didYouMean(CommandLine.UnmatchedArgumentException unmatched) {
        return unmatched.getSuggestions().stream().findFirst().map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    private static String firstLine(String message) {
        return message == null ? "bad arguments" : message.lines().findFirst().orElse("bad arguments");
    }
}
