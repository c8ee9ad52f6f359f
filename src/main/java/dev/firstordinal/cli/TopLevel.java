package dev.firstordinal.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The jar's top-level command line, on picocli: {@code --help}, {@code --version}, the list of
 * commands, {@code completion} (a bash/zsh completion script) and one-line usage errors (exit 2).
 * A command's own arguments go to it untouched, to be parsed by its own picocli {@code @Command}
 * ({@link CommandRunner}): {@code first-ordinal audit --help} is the audit command's help. The
 * commands' specs are subcommands here too, so the top-level help lists them and the completion
 * script completes their options.
 */
public final class TopLevel {

    /** The program name users type: the launcher {@code first-ordinal} (or {@code kubectl first-ordinal}). */
    public static final String NAME = "first-ordinal";

    /** What {@link #execute} returns once {@code serve} has handed over to Quarkus: do not exit. */
    static final int SERVING = -1;

    private static final String SERVE = "serve";
    private static final String COMPLETION = "completion";
    private static final String HELP = "help";

    private TopLevel() {
    }

    /**
     * Runs one command line; the result is the process exit code (0 done, 1 failed, 2 bad usage),
     * or {@link #SERVING} when the webhook was started.
     */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        if (args.length > 0) {
            String name = args[0];
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            if (name.equals(SERVE)) {
                ServeCommand.run(rest);
                return SERVING;
            }
            if (name.equals(HELP) && rest.length > 0) {
                return execute(out, err, rest[0], "--help");
            }
            Optional<CliCommand> command = Commands.all().stream().filter(c -> c.name().equals(name)).findFirst();
            if (command.isPresent()) {
                return run(command.get(), rest, err);
            }
        }
        return parse(out, err, args);
    }

    private static int run(CliCommand command, String[] args, PrintStream err) {
        try {
            return command.run(List.of(args));
        } catch (Exception e) {
            err.println(NAME + " " + command.name() + ": " + e.getMessage());
            return 1;
        }
    }

    private static int parse(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = commandLine();
        PrintWriter outWriter = new PrintWriter(out, true);
        cli.setOut(outWriter);
        CommandLine.ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            String message = e instanceof CommandLine.UnmatchedArgumentException && args.length > 0 && !args[0].startsWith("-")
                    ? "unknown command '" + args[0] + "'"
                    : e.getMessage().lines().findFirst().orElse("bad arguments");
            err.println(NAME + ": " + message);
            err.println("Try '" + NAME + " --help' for the commands.");
            return CliCommand.USAGE_ERROR;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return 0;
        }
        if (parsed.hasSubcommand() && parsed.subcommand().commandSpec().name().equals(COMPLETION)) {
            out.print(completionScript());
            out.flush();
            return 0;
        }
        cli.usage(outWriter);
        return 0;
    }

    /** A bash (and zsh, through bashcompinit) completion script for {@code first-ordinal}. */
    public static String completionScript() {
        return AutoComplete.bash(NAME, commandLine());
    }

    /** The top-level command and, as subcommands, {@code serve}, every {@link Commands#all()} and {@code completion}. */
    static CommandLine commandLine() {
        CommandSpec top = CommandSpec.create().name(NAME).versionProvider(new ProjectVersion()).mixinStandardHelpOptions(true);
        top.usageMessage()
                .description("Labels the first ordinal of each Redis StatefulSet for Velero backup.")
                .footer("", "Without a command, runs serve. Run '" + NAME + " COMMAND --help' for a command's options.");
        CommandLine cli = new CommandLine(top);
        cli.addSubcommand(SERVE, passThrough(SERVE,
                "run the admission webhook (the default): HTTPS /mutate on 8443, health on 9000"));
        for (CliCommand command : Commands.all()) {
            cli.addSubcommand(command.name(), new CommandLine(command));
        }
        CommandSpec completion = CommandSpec.create().name(COMPLETION).mixinStandardHelpOptions(true);
        completion.usageMessage().description("print a bash completion script: source <(" + NAME + " " + COMPLETION + ")");
        cli.addSubcommand(COMPLETION, completion);
        cli.addSubcommand(HELP, passThrough(HELP, "show this help, or a command's: help COMMAND"));
        return cli;
    }

    /** A command that takes any arguments: Quarkus ({@code serve}) or {@code help} reads them. */
    private static CommandSpec passThrough(String name, String summary) {
        CommandSpec spec = CommandSpec.create().name(name);
        spec.usageMessage().description(summary);
        spec.addPositional(PositionalParamSpec.builder().paramLabel("ARGS").arity("0..*").type(String[].class)
                .description("the command's options: " + NAME + " " + name + " --help").build());
        spec.parser().unmatchedOptionsArePositionalParams(true);
        return spec;
    }
}
