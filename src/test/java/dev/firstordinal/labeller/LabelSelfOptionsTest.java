package dev.firstordinal.labeller;

import dev.firstordinal.cli.UsageException;
import dev.firstordinal.ordinal.MarkingPolicy;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelSelfOptionsTest {

    private static final Map<String, String> DOWNWARD_API = Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", "shop");

    /** HookAnnotations has no equals: compare what a first-ordinal pod would get. */
    private static void assertSamePolicy(MarkingPolicy actual, MarkingPolicy expected) {
        assertThat(actual.labelKey()).isEqualTo(expected.labelKey());
        assertThat(actual.labelValue()).isEqualTo(expected.labelValue());
        assertThat(actual.hook().forContainer("redis")).isEqualTo(expected.hook().forContainer("redis"));
    }

    @Test
    void readsThePodFromTheDownwardApiEnvironmentWithTheWebhooksDefaults() throws Exception {
        LabelSelfOptions options = parse(List.of(), DOWNWARD_API);

        assertThat(options.podName()).isEqualTo("redis-0");
        assertThat(options.namespace()).isEqualTo("shop");
        assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.required()).isFalse();
        assertSamePolicy(options.policy(), MarkingPolicy.defaults());
    }

    @Test
    void flagsWinOverTheEnvironment() throws Exception {
        LabelSelfOptions options = parse(
                List.of("--pod", "cache-3", "--namespace=cache", "--timeout", "2m", "--required",
                        "--label-key", "example.com/backup", "--label-value=hourly", "--hook-on-error", "Continue",
                        "--hook-timeout", "90s"),
                Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", "shop", "FIRST_ORDINAL_LABEL_VALUE", "daily"));

        assertThat(options.podName()).isEqualTo("cache-3");
        assertThat(options.namespace()).isEqualTo("cache");
        assertThat(options.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.required()).isTrue();
        assertSamePolicy(options.policy(), MarkingPolicy.of("example.com/backup", "hourly", "Continue", "90s"));
    }

    @Test
    void marksAndRequiredComeFromTheSameVariablesAsTheWebhook() throws Exception {
        LabelSelfOptions options = parse(List.of(), Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", "shop",
                "FIRST_ORDINAL_LABEL_KEY", "backup", "FIRST_ORDINAL_LABEL_VALUE", "nightly",
                "FIRST_ORDINAL_HOOK_ON_ERROR", "Continue", "FIRST_ORDINAL_HOOK_TIMEOUT", "5m",
                "FIRST_ORDINAL_LABELLER_TIMEOUT", "15", "FIRST_ORDINAL_LABELLER_REQUIRED", "true"));

        assertSamePolicy(options.policy(), MarkingPolicy.of("backup", "nightly", "Continue", "5m"));
        assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(options.required()).isTrue();
    }

    @Test
    void aMissingPodNameSaysWhereItShouldComeFrom() {
        assertThatThrownBy(() -> parse(List.of(), Map.of("POD_NAMESPACE", "shop")))
                .isInstanceOf(UsageException.class)
                .hasMessage("no pod name: set env POD_NAME from the Downward API (fieldRef metadata.name) or pass --pod");
    }

    @Test
    void aMissingNamespaceSaysWhereItShouldComeFrom() {
        assertThatThrownBy(() -> parse(List.of(), Map.of("POD_NAME", "redis-0")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("POD_NAMESPACE");
    }

    /** Issue 30 #9: the Downward API's namespace is checked as --namespace is, naming where it came from. */
    @Test
    void anInvalidNamespaceFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> parse(List.of(), Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", "Bad_NS")))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("POD_NAMESPACE 'Bad_NS' is not a valid namespace name");
    }

    @Test
    void rejectsUnknownOptionsMissingValuesAndBadSettings() {
        assertThatThrownBy(() -> parse(List.of("--retries", "3"), DOWNWARD_API))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class)
                .hasMessage("Unknown options: '--retries', '3'");
        assertThatThrownBy(() -> parse(List.of("--timeout"), DOWNWARD_API))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Missing required parameter for option '--timeout' (DURATION)");
        assertThatThrownBy(() -> parse(List.of("--timeout", "soon"), DOWNWARD_API))
                .hasMessage("--timeout: 'soon' is not a duration such as 60s, 2m or 90");
        assertThatThrownBy(() -> parse(List.of("--timeout", "0"), DOWNWARD_API))
                .hasMessageContaining("at least");
        assertThatThrownBy(() -> parse(List.of("--label-value", "not a value"), DOWNWARD_API))
                .hasMessageContaining("not a valid Kubernetes label value");
        assertThatThrownBy(() -> parse(List.of("--hook-on-error", "Ignore"), DOWNWARD_API))
                .hasMessageContaining("Fail or Continue");
        assertThatThrownBy(() -> parse(List.of(), Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", "shop",
                "FIRST_ORDINAL_LABELLER_REQUIRED", "yes")))
                .hasMessage("FIRST_ORDINAL_LABELLER_REQUIRED must be true or false, not 'yes'");
    }

    @Test
    void recognisesHelpAnywhereInTheArguments() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LabelSelfCommand command = new LabelSelfCommand(DOWNWARD_API, timeout -> {
            throw new AssertionError("--help must not reach the cluster");
        }, d -> { }, System::nanoTime, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(command.run(List.of("--timeout", "5s", "--help"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: first-ordinal label-self").contains("--timeout");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** Parses like the command does (picocli, into {@link LabelSelfArguments}), then applies the environment. */
    private static LabelSelfOptions parse(List<String> args, Map<String, String> env) throws UsageException {
        LabelSelfArguments arguments = new LabelSelfArguments();
        new CommandLine(arguments).parseArgs(args.toArray(String[]::new));
        return LabelSelfOptions.of(arguments, env);
    }
}
