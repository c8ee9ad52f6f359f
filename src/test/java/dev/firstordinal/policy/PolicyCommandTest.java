package dev.firstordinal.policy;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.ordinal.MarkingPolicy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return dev.firstordinal.cli.CommandRunner.run(new PolicyCommand(), List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsThePolicyForTheGivenSettings() {
        assertThat(run("--label-value", "nightly", "--install-namespace", "backup-system", "--namespace-label", "team/backup=yes")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(PolicyManifests.yaml(
                MarkingPolicy.of("velero-backup-schedule", "nightly", "Fail", "300s"),
                new PolicyManifests.Settings("first-ordinal", NamespaceLabel.parse("team/backup=yes"),
                        List.of("kube-system", "backup-system"), "backup-system", StartOrdinalParams.DEFAULT_NAME)));
    }

    @Test
    void aBadSettingIsAUsageErrorNamingIt() {
        assertThat(run("--hook-on-error", "Sometimes")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "first-ordinal policy: hook on-error must be Fail or Continue, not 'Sometimes'",
                "Try 'first-ordinal policy --help' for the options.");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aBadNamespaceLabelIsAUsageErrorToo() {
        assertThat(run("--namespace-label", "no-equals-sign")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("must be key=value");
    }

    /** Issue 30 #9: Bad_NS was accepted and written into the binding's paramRef. */
    @Test
    void aNamespaceNameTheApiServerWouldRefuseIsAUsageError() {
        assertThat(run("--install-namespace", "Bad_NS")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow())
                .startsWith("first-ordinal policy: --install-namespace 'Bad_NS' is not a valid namespace name");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
