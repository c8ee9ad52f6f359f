package dev.firstordinal.cli;

import dev.firstordinal.ordinal.MarkingPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarkingOptionsTest {

    /** The smallest command that mixes the options in, as a new command would. */
    @Command(name = "probe")
    static final class Probe {
        @Mixin
        MarkingOptions marking = new MarkingOptions();
    }

    private static MarkingOptions parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.marking;
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty("first-ordinal.label.key");
        System.clearProperty("first-ordinal.hook.timeout");
    }

    @Test
    void withNothingGivenThePolicyIsTheWebhooksDefault() throws Exception {
        MarkingPolicy policy = parse().policy(property -> null);

        assertThat(policy.labelKey()).isEqualTo(MarkingPolicy.DEFAULT_LABEL_KEY);
        assertThat(policy.labelValue()).isEqualTo(MarkingPolicy.DEFAULT_LABEL_VALUE);
        assertThat(policy.hook().forContainer("redis")).isEqualTo(MarkingPolicy.defaults().hook().forContainer("redis"));
    }

    @Test
    void anOptionWinsOverTheSettingWhichWinsOverTheDefault() throws Exception {
        Map<String, String> settings = Map.of("first-ordinal.label.key", "from-setting", "first-ordinal.label.value", "nightly");

        MarkingPolicy policy = parse("--label-key", "from-option").policy(settings::get);

        assertThat(policy.labelKey()).isEqualTo("from-option");
        assertThat(policy.labelValue()).isEqualTo("nightly");
    }

    @Test
    void policyFallsBackToTheSystemPropertyOfTheServersSetting() throws Exception {
        System.setProperty("first-ordinal.label.key", "example.com/backup");

        assertThat(parse().policy().labelKey()).isEqualTo("example.com/backup");
        assertThat(parse("--label-key=given").rule().policy().labelKey()).isEqualTo("given");
        assertThat(parse("--label-key=given").policy().labelKey()).isEqualTo("given");
    }

    @Test
    void aBadValueIsAUsageError() {
        assertThatThrownBy(() -> parse("--hook-on-error", "Ignore").policy(property -> null))
                .isInstanceOf(UsageException.class).hasMessageContaining("Fail or Continue");
        System.setProperty("first-ordinal.hook.timeout", "300");
        assertThatThrownBy(() -> parse().rule()).isInstanceOf(UsageException.class);
    }
}
