package dev.firstordinal.cli;

import io.quarkus.runtime.annotations.QuarkusMain;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One jar, several modes. {@code serve} (the default) starts the webhook; every other command is
 * plain Java that runs before, and instead of, Quarkus, so it starts no HTTP server.
 */
@QuarkusMain
public final class Main {

    /** Every command but {@code serve}. Add new modes here. */
    static List<CliCommand> commands() {
        return List.of(new dev.firstordinal.certs.CertsCommand(), new dev.firstordinal.audit.AuditCommand(),
                new dev.firstordinal.preview.PreviewCommand(), new dev.firstordinal.labeller.LabelSelfCommand(),
                new PicocliCommand("policy", "print the MutatingAdmissionPolicy and binding (policy mode, Kubernetes 1.36+)",
                        dev.firstordinal.policy.PolicyCommand::new),
                new PicocliCommand("policy-sync", "policy mode: keep the start-ordinal ConfigMap, backfill what the policy missed",
                        dev.firstordinal.policy.PolicySyncCommand::new));
    }

    private Main() {
    }

    public static void main(String... args) {
        if (args.length == 0) {
            ServeCommand.run(args);
            return;
        }
        String name = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (name.equals("serve")) {
            ServeCommand.run(rest);
            return;
        }
        if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
            exit(System.out, 0, usage());
        }
        Optional<CliCommand> command = commands().stream().filter(c -> c.name().equals(name)).findFirst();
        if (command.isEmpty()) {
            exit(System.err, CliCommand.USAGE_ERROR, "first-ordinal: unknown command '" + name + "'; run with --help for the list");
        }
        int code;
        try {
            code = command.get().run(List.of(rest));
        } catch (Exception e) {
            System.err.println("first-ordinal " + name + ": " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    static String usage() {
        StringBuilder out = new StringBuilder("""
                Usage: java -jar quarkus-run.jar [COMMAND] [OPTIONS]

                Commands:
                  serve        run the admission webhook (the default): HTTPS /mutate on 8443, health on 9000
                """);
        for (CliCommand c : commands()) {
            out.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        out.append("  help         show this help\n\nRun 'COMMAND --help' for a command's options.");
        return out.toString();
    }

    static void exit(PrintStream stream, int code, String message) {
        stream.println(message);
        System.exit(code);
    }
}
