package dev.firstordinal.cli;

import picocli.CommandLine;

import java.util.List;
import java.util.function.Supplier;

/** A picocli {@code @Command} as a {@link CliCommand}: usage errors exit 2 with picocli's message. */
public record PicocliCommand(String name, String summary, Supplier<Object> command) implements CliCommand {

    @Override
    public int run(List<String> args) {
        return new CommandLine(command.get()).execute(args.toArray(String[]::new));
    }
}
