package dev.firstordinal.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for a command, as a picocli mixin: picocli prints the generated usage, exit 0. */
public final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;
}
