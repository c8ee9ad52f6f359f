package dev.firstordinal.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code first-ordinal __complete WORDS...}: Cobra's answer, as kubectl reads it from kubectl_complete-first_ordinal. */
class PluginCompletionTest {

    private static List<String> complete(String... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] args = new String[words.length + 1];
        args[0] = PluginCompletion.COMMAND;
        System.arraycopy(words, 0, args, 1, words.length);
        int code = TopLevel.execute(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, args);
        assertThat(code).isZero();
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static List<String> names(List<String> lines) {
        return lines.stream().map(l -> l.split("\t")[0]).toList();
    }

    @Test
    void aNewWordAfterThePluginNameIsACommandWithItsSummary() {
        List<String> lines = complete("");

        assertThat(names(lines)).containsExactly("serve", "certs", "audit", "preview", "label-self", "policy", "policy-sync", "schedule",
                "completion", "version", "help", ":4");
        assertThat(lines).anyMatch(l -> l.startsWith("audit\t") && l.length() > "audit\t".length());
    }

    @Test
    void aPrefixNarrowsTheCommandsAndHelpCompletesCommandNames() {
        assertThat(names(complete("pol"))).containsExactly("policy", "policy-sync", ":4");
        assertThat(names(complete("help", "au"))).containsExactly("audit", ":4");
    }

    @Test
    void optionValuesComeFromTheOptionsDeclaredValues() {
        assertThat(complete("audit", "-n", "shop", "--output", "")).containsExactly("table", "json", "yaml", ":4");
        assertThat(complete("preview", "-o", "j")).containsExactly("json", ":4");
        assertThat(complete("certs", "--key-type", "")).containsExactly("ec", "rsa", ":4");
        assertThat(complete("certs", "--key-type=r")).containsExactly("--key-type=rsa", ":4");
        assertThat(complete("label-self", "--hook-on-error", "")).containsExactly("Fail", "Continue", ":4");
    }

    @Test
    void anOptionTakingAFileLeavesItToTheShellAndAFreeValueOffersNothing() {
        assertThat(complete("preview", "-f", "")).containsExactly(":0");
        assertThat(complete("audit", "--kubeconfig", "")).containsExactly(":0");
        assertThat(complete("audit", "--namespace", "")).containsExactly(":4");
    }

    @Test
    void aDashCompletesTheCommandsOptionNames() {
        assertThat(names(complete("audit", "--na"))).containsExactly("--namespace", "--namespace-label", ":4");
        assertThat(names(complete("certs", "--out", "x", "--ke"))).containsExactly("--key-type", ":4");
    }
}
