package dev.firstordinal.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import picocli.CommandLine.Model.CommandSpec;

import static org.assertj.core.api.Assertions.assertThat;

class TopLevelTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs a command line; the commands print to System.out/err, so those are captured too. */
    private int run(String... args) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        System.setOut(stdout);
        System.setErr(stderr);
        try {
            return TopLevel.execute(stdout, stderr, args);
        } finally {
            System.setOut(systemOut);
            System.setErr(systemErr);
        }
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryCommandOnStdout() {
        assertThat(run("--help")).isZero();
        assertThat(out()).startsWith("Usage: first-ordinal [-hV] [COMMAND]")
                .contains("serve", "certs", "audit", "preview", "label-self", "completion", "--version");
        for (CliCommand command : Commands.all()) {
            assertThat(out()).contains(command.name());
        }
        assertThat(err()).isEmpty();
    }

    @Test
    void helpWordAloneIsTheTopLevelHelp() {
        assertThat(run("help")).isZero();
        assertThat(out()).startsWith("Usage: first-ordinal [-hV] [COMMAND]");
    }

    @Test
    void helpWithACommandIsThatCommandsHelp() {
        assertThat(run("help", "preview")).isZero();
        assertThat(out()).startsWith("Usage: first-ordinal preview");
    }

    @Test
    void versionIsTheMavenProjectVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out().strip()).matches("first-ordinal \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(ProjectVersion.get()).doesNotContain("${");
    }

    @Test
    void unknownCommandIsOneLineUsageErrorWithAHint() {
        assertThat(run("bogus")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).containsExactly(
                "first-ordinal: unknown command 'bogus'", "Try 'first-ordinal --help' for the commands.");
        assertThat(out()).isEmpty();
    }

    @Test
    void unknownTopLevelOptionIsOneLineUsageError() {
        assertThat(run("--bogus")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).hasSize(2);
        assertThat(err().lines().findFirst().orElseThrow()).startsWith("first-ordinal: ").contains("--bogus");
    }

    @Test
    void commandArgumentsReachTheCommandUntouched() {
        assertThat(run("audit", "--help")).isZero();
        assertThat(out()).startsWith("Usage: first-ordinal audit");
    }

    @Test
    void commandUsageErrorsExitTwo() {
        assertThat(run("audit", "--no-such-option")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).containsExactly("first-ordinal audit: Unknown option: '--no-such-option'",
                "Try 'first-ordinal audit --help' for the options.");
    }

    @Test
    void completionIsABashScriptCompletingTheCommands() {
        assertThat(run("completion")).isZero();
        assertThat(out()).startsWith("#!/usr/bin/env bash").contains("complete -F")
                .contains("serve", "certs", "audit", "preview", "label-self");
    }

    @Test
    void completionCompletesEachCommandsOptions() {
        assertThat(run("completion")).isZero();
        String script = out();
        for (CliCommand command : Commands.all()) {
            List<String> options = CommandSpec.forAnnotatedObject(command).options().stream()
                    .flatMap(o -> Arrays.stream(o.names())).toList();
            assertThat(options).as(command.name()).contains("--help");
            String function = "function _picocli_" + TopLevel.NAME + "_" + command.name().replace("-", "") + "()";
            assertThat(script).as(command.name()).contains(function);
            int start = script.indexOf(function);
            String body = script.substring(start, script.indexOf("\n}", start));
            for (String option : options) {
                assertThat(body).as(command.name() + " " + option).contains(option);
            }
        }
    }

    @Test
    void theMarkingOptionsAreTheSameForEveryCommandThatMarks() {
        for (String name : List.of("audit", "preview", "label-self")) {
            assertThat(run(name, "--help")).as(name).isZero();
            assertThat(out()).as(name).contains("--label-key=KEY", "--label-value=VALUE", "--hook-on-error=MODE",
                    "--hook-timeout=DURATION");
            out.reset();
        }
    }

    /** Issue 30 #5: serve read no arguments, so --help and typos started the webhook. */
    @Test
    void serveHelpPrintsItsHelpAndStartsNothing() {
        assertThat(run("serve", "--help")).isZero();
        assertThat(out()).startsWith("Usage: first-ordinal serve").contains("8443").contains("Exit codes");
        assertThat(err()).isEmpty();
    }

    @Test
    void serveWithAnUnknownOptionIsAUsageErrorAndStartsNothing() {
        assertThat(run("serve", "--bogus")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).containsExactly("first-ordinal serve: Unknown option: '--bogus'",
                "Try 'first-ordinal serve --help' for the options.");
        assertThat(out()).isEmpty();
    }

    @Test
    void aMistypedCommandGetsTheClosestOne() {
        assertThat(run("audti", "-n", "shop")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).containsExactly("first-ordinal: unknown command 'audti'; did you mean 'audit'?",
                "Try 'first-ordinal --help' for the commands.");
    }

    @Test
    void helpForAnUnknownCommandIsAUsageErrorAndHelpHelpIsHelp() {
        assertThat(run("help", "nonexist")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err()).contains("nonexist").hasLineCount(2);
        err.reset();
        assertThat(run("help", "--help")).isZero();
        assertThat(out()).contains("Usage: first-ordinal help [-h] [COMMAND]");
        assertThat(err()).isEmpty();
    }

    /** Issue 30 #9: help for a mistyped command said "Unknown subcommand" with no suggestion, unlike the command itself. */
    @Test
    void helpForAMistypedCommandSaysItAsTheCommandLineDoes() {
        assertThat(run("help", "audti")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).containsExactly("first-ordinal: unknown command 'audti'; did you mean 'audit'?",
                "Try 'first-ordinal --help' for the commands.");
    }

    /** Issue 30 #9: a mistyped option got no suggestion (picocli's lines after the first were dropped). */
    @Test
    void aMistypedOptionGetsTheClosestOne() {
        assertThat(run("audit", "--namspace", "shop")).isEqualTo(CliCommand.USAGE_ERROR);
        assertThat(err().lines().toList()).containsExactly(
                "first-ordinal audit: Unknown options: '--namspace', 'shop'; did you mean '--namespace'?",
                "Try 'first-ordinal audit --help' for the options.");
    }

    /** Issue 30 #9: at 80 columns certs' example wrapped mid-command, leaving "certs/out" alone on a line. */
    @Test
    void everyHelpFitsEightyColumnsWithoutBreakingAnExample() {
        List<String> commands = new java.util.ArrayList<>(List.of("serve", "completion", "version", "help"));
        Commands.all().forEach(c -> commands.add(c.name()));
        for (String command : commands) {
            out.reset();
            assertThat(run(command, "--help")).isZero();
            List<String> lines = out().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                assertThat(lines.get(i).length()).as(command + " --help line " + i + ": " + lines.get(i)).isLessThanOrEqualTo(80);
                if (i > 0 && lines.get(i - 1).matches("  (first-ordinal|kubectl|source) .*") && !lines.get(i - 1).endsWith("\\")) {
                    assertThat(lines.get(i)).as(command + " --help: an example went on at column 0: " + lines.get(i - 1))
                            .matches("(\\s.*)?");
                }
            }
        }
    }

    @Test
    void versionIsACommandToo() {
        assertThat(run("version")).isZero();
        assertThat(out().strip()).matches("first-ordinal \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    /** Issue 30 #9: completion for the kubectl plugin's name too, and values for -o and --key-type. */
    @Test
    void completionCoversThePluginNameAndOptionValues() {
        assertThat(run("completion")).isZero();
        assertThat(out()).contains("complete -F _complete_first-ordinal -o default kubectl-first_ordinal\n")
                .contains("(\"table\" \"json\" \"yaml\") # --output values").contains("(\"ec\" \"rsa\") # --key-type values");
    }
}
