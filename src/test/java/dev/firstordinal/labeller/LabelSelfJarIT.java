package dev.firstordinal.labeller;

import dev.firstordinal.testing.StatefulSetPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar in label-self mode, as an initContainer runs it, against a loopback mock API. */
@EnableKubernetesMockClient(crud = true, https = false)
class LabelSelfJarIT {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private record Run(int exitCode, String output) {
    }

    private static Run labelSelf(String masterUrl, String namespace, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "label-self"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "KUBECONFIG").forEach(env::remove);
        env.put("NO_PROXY", "localhost,127.0.0.1");
        env.put("KUBERNETES_MASTER", masterUrl);
        env.put("KUBECONFIG", "/nonexistent");
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        env.put("POD_NAME", "redis-0");
        env.put("POD_NAMESPACE", namespace);
        Process process = builder.start();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited).as("label-self exits on its own").isTrue();
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void labelsTheFirstOrdinalWithoutStartingQuarkus() throws Exception {
        assertThat(JAR).as("run 'mvn package' first").exists();
        String ns = "jar-it";
        client.apps().statefulSets().inNamespace(ns).resource(StatefulSetPods.statefulSet(ns, "redis", null)).create();
        client.pods().inNamespace(ns).resource(StatefulSetPods.pod(ns, "redis", 0)).create();

        Run run = labelSelf(server.url("/"), ns);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("first-ordinal label-self: pod jar-it/redis-0 is the first ordinal (0) of StatefulSet redis: "
                + "added label velero-backup-schedule=redis and 5 hook annotations (");
        assertThat(run.output()).doesNotContain("Listening on", "started in", "Installed features");
        assertThat(client.pods().inNamespace(ns).withName("redis-0").get().getMetadata().getLabels())
                .containsEntry("velero-backup-schedule", "redis");
    }

    @Test
    void anUnreachableApiServerGivesUpAndExitsZero() throws Exception {
        Run run = labelSelf("http://127.0.0.1:1/", "nowhere", "--timeout", "2s");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("first-ordinal label-self: GAVE UP: ", "cannot reach the API server",
                "exiting 0 so the pod starts anyway");
    }

    @Test
    void anUnreachableApiServerExitsOneWhenRequired() throws Exception {
        Run run = labelSelf("http://127.0.0.1:1/", "nowhere", "--timeout", "1s", "--required");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("exiting 1 because --required is set");
    }

    @Test
    void badOptionsExitTwoWithOneLineAndAHint() throws Exception {
        Run run = labelSelf("http://127.0.0.1:1/", "nowhere", "--bogus");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output().strip().lines().toList()).containsExactly("first-ordinal label-self: Unknown option: '--bogus'",
                "Try 'first-ordinal label-self --help' for the options.");
    }

    @Test
    void theJarsHelpListsLabelSelf() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--help").redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).isZero();
        assertThat(output).contains("label-self");
    }
}
