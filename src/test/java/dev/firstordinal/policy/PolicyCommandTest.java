package dev.firstordinal.policy;

import dev.firstordinal.ordinal.MarkingPolicy;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = new CommandLine(new PolicyCommand());
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void printsThePolicyForTheGivenSettings() {
        assertThat(run("--label-value", "nightly", "--install-namespace", "backup-system", "--namespace-label", "team/backup=yes")).isZero();
        assertThat(out.toString()).isEqualTo(PolicyManifests.yaml(MarkingPolicy.of("velero-backup-schedule", "nightly", "Fail", "300s"),
                new PolicyManifests.Settings("first-ordinal", dev.firstordinal.cluster.NamespaceLabel.parse("team/backup=yes"),
                        java.util.List.of("kube-system", "backup-system"), "backup-system", StartOrdinalParams.DEFAULT_NAME)));
    }

    @Test
    void aBadSettingIsAUsageErrorNamingIt() {
        assertThat(run("--hook-on-error", "Sometimes")).isEqualTo(2);
        assertThat(err.toString()).contains("hook on-error must be Fail or Continue, not 'Sometimes'");
        assertThat(out.toString()).isEmpty();
    }
}
