package dev.firstordinal.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30 #9: every option that names a namespace refuses a name the API server would refuse, in one
 * line and the hint, exit 2, before anything is read, written or sent; the same words for every command.
 */
class NamespaceOptionsTest {

    @TempDir
    Path tempDir;

    @ParameterizedTest
    @ValueSource(strings = {"audit -n", "audit --namespace", "policy --install-namespace", "policy --exclude-namespace",
            "policy-sync --install-namespace", "certs --namespace", "label-self --pod redis-0 --namespace"})
    void anInvalidNamespaceIsOneLineAndExitTwo(String commandAndOption) {
        List<String> args = new ArrayList<>(List.of(commandAndOption.split(" ")));
        args.add("Bad_NS");
        String command = args.get(0);
        String option = args.get(args.size() - 2).equals("-n") ? "--namespace" : args.get(args.size() - 2);   // named by its long form
        if (command.equals("certs")) {
            args.addAll(List.of("--out", tempDir.resolve("out").toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TopLevel.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args.toArray(String[]::new));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "first-ordinal " + command + ": " + option + " 'Bad_NS' is not a valid namespace name (lower-case letters, digits and '-',"
                        + " starting and ending with a letter or digit, at most 63 characters)",
                "Try 'first-ordinal " + command + " --help' for the options.");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.exists(tempDir.resolve("out"))).as("certs wrote nothing").isFalse();
    }
}
