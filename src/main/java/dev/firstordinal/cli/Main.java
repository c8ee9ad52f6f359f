package dev.firstordinal.cli;

import dev.firstordinal.cluster.HttpBodyLogging;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.io.PrintStream;

/**
 * One jar, several modes. {@code serve} (also the jar run without arguments) starts the webhook;
 * every other command is plain Java that runs before, and instead of, Quarkus, so it starts no
 * HTTP server. The command line is read and dispatched by picocli ({@link TopLevel}); commands
 * are registered in {@link Commands}.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        if (args.length > 0 && !args[0].equals("serve")) {
            // Quarkus never configures logging in a CLI mode, so every record is buffered: not the client's HTTP
            // bodies (audit ran out of heap on them; policy-sync runs for days).
            HttpBodyLogging.off();
        }
        int code = TopLevel.execute(System.out, System.err, args.length == 0 ? new String[] {"serve"} : args);
        if (code != TopLevel.SERVING) {
            System.exit(code);
        }
    }

    static void exit(PrintStream stream, int code, String message) {
        stream.println(message);
        System.exit(code);
    }
}
