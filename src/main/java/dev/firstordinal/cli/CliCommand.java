package dev.firstordinal.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.util.List;

/**
 * A command of the jar other than {@code serve}: plain Java, no Quarkus, no HTTP server. An
 * implementation is a picocli {@code @Command} object: its name, description and options come from
 * its annotations, and {@link #run} parses through {@link CommandRunner}.
 */
public interface CliCommand {

    /** Exit code for bad arguments (one-line error and a hint on stderr). */
    int USAGE_ERROR = 2;

    /** The word that selects it: {@code first-ordinal <name> ...} (the launcher; {@code java -jar quarkus-run.jar <name>} too). */
    default String name() {
        return CommandSpec.forAnnotatedObject(this).name();
    }

    /** One line for the jar's {@code --help}: the first line of the command's description. */
    default String summary() {
        return CommandSpec.forAnnotatedObject(this).usageMessage().description()[0];
    }

    /** Runs the command; the return value is the process exit code. */
    int run(List<String> args) throws Exception;
}
