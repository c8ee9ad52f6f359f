package dev.firstordinal.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The jar's command line, on picocli: the top-level command with {@code --help} and
 * {@code --version}, and as picocli subcommands {@code serve}, every {@link Commands#all()},
 * {@code completion}, {@code version} and {@code help}. picocli parses and dispatches; every
 * usage error gets {@link CommandRunner}'s form (one line and a hint on stderr, exit 2).
 */
public final class TopLevel {

    /** The program name users type: the launcher {@code first-ordinal} (or {@code kubectl first-ordinal}). */
    public static final String NAME = "first-ordinal";

    /** What {@link #execute} returns once {@code serve} has handed over to Quarkus: do not exit. */
    static final int SERVING = -1;

    private TopLevel() {
    }

    /**
     * Runs one command line; the result is the process exit code (0 done, 1 failed, 2 bad usage),
     * or {@link #SERVING} when the webhook was started. {@code __complete WORDS...} answers shell
     * completion ({@link PluginCompletion}).
     */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = commandLine(err);
        if (args.length > 0 && args[0].equals(PluginCompletion.COMMAND)) {
            out.print(PluginCompletion.answer(cli, java.util.Arrays.asList(args).subList(1, args.length)));
            out.flush();
            return 0;
        }
        cli.setOut(new PrintWriter(out, true));
        return cli.execute(args);
    }

    /** The kubectl plugin's executable name: completion is registered for it too. */
    static final String PLUGIN = "kubectl-first_ordinal";

    /** A bash (and zsh, through bashcompinit) completion script for {@code first-ordinal} and {@code kubectl-first_ordinal}. */
    public static String completionScript() {
        return completionScript(commandLine(System.err));
    }

    static String completionScript(CommandLine top) {
        String script = AutoComplete.bash(NAME, top);
        return script + "complete -F _complete_" + NAME + " -o default " + PLUGIN + "\n";
    }

    /** The top-level command and its subcommands, with the shared usage-error handling. */
    static CommandLine commandLine(PrintStream err) {
        CommandLine cli = CommandRunner.commandLine(new Top(), err);
        cli.setCommandName(NAME);
        cli.addSubcommand(new ServeCommand());
        for (CliCommand command : Commands.all()) {
            cli.addSubcommand(command.name(), command);
        }
        cli.addSubcommand(new Completion());
        cli.addSubcommand(new Version());
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setExpandAtFiles(false); // an argument such as -f @x.yaml is a file name
        return cli;
    }

    /** The top level: without a command, its help. */
    @Command(name = NAME, mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
            description = "Labels the first ordinal of each Redis StatefulSet for Velero backup.",
            footer = {"", "Run '" + NAME + " COMMAND --help' for a command's options. The webhook: '" + NAME + " serve'"
                    + " (java -jar quarkus-run.jar without arguments runs it too)."})
    static final class Top implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = "print a bash completion script: source <(" + NAME + " completion)")
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(completionScript(spec.parent().commandLine()));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "print the version")
    static final class Version implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(NAME + " " + ProjectVersion.get());
            return 0;
        }
    }
}
