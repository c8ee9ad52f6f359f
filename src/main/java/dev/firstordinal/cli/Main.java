package dev.firstordinal.cli;

import io.quarkus.runtime.annotations.QuarkusMain;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * One jar, several modes. {@code serve} (the default) starts the webhook; every other command is
 * plain Java that runs before, and instead of, Quarkus, so it starts no HTTP server.
 */
@QuarkusMain
public final class Main {

    static final String USAGE = """
            Usage: java -jar quarkus-run.jar [COMMAND] [OPTIONS]

            Commands:
              serve        run the admission webhook (the default): HTTPS /mutate on 8443, health on 9000
              help         show this help

            Run 'COMMAND --help' for a command's options.
            """;

    private Main() {
    }

    public static void main(String... args) {
        if (args.length == 0) {
            ServeCommand.run(args);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "serve" -> ServeCommand.run(rest);
            case "help", "--help", "-h" -> exit(System.out, 0, USAGE.stripTrailing());
            default -> exit(System.err, 2, "first-ordinal: unknown command '" + args[0] + "'; run with --help for the list");
        }
    }

    static void exit(PrintStream stream, int code, String message) {
        stream.println(message);
        System.exit(code);
    }
}
