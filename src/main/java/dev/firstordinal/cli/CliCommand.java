package dev.firstordinal.cli;

import java.util.List;

/** A command of the jar other than {@code serve}: plain Java, no Quarkus, no HTTP server. */
public interface CliCommand {

    /** Exit code for bad arguments (one-line error on stderr). */
    int USAGE_ERROR = 2;

    /** The word that selects it: {@code first-ordinal <name> ...} (the launcher; {@code java -jar quarkus-run.jar <name>} too). */
    String name();

    /** One line for the jar's {@code --help}. */
    String summary();

    /** Runs the command; the return value is the process exit code. */
    int run(List<String> args) throws Exception;
}
