package dev.firstordinal.labeller;

import dev.firstordinal.testing.StatefulSetPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true, https = false)
class LabelSelfCommandTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private final String ns = "cache-" + NAMESPACES.incrementAndGet();
    private final FakeTime time = new FakeTime();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Config api, String... args) {
        LabelSelfCommand command = new LabelSelfCommand(Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", ns),
                timeout -> LabellerClient.create(api, timeout), time, time::nanoTime,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return command.run(List.of(args));
    }

    private int run(String... args) {
        return run(client.getConfiguration(), args);
    }

    private List<String> log() {
        return Arrays.asList(err.toString(StandardCharsets.UTF_8).split("\n"));
    }

    private void redisShard() {
        client.apps().statefulSets().inNamespace(ns).resource(StatefulSetPods.statefulSet(ns, "redis", null)).create();
        client.pods().inNamespace(ns).resource(StatefulSetPods.pod(ns, "redis", 0)).create();
    }

    private Pod firstPod() {
        return client.pods().inNamespace(ns).withName("redis-0").get();
    }

    private String podPath() {
        return "/api/v1/namespaces/" + ns + "/pods/redis-0";
    }

    private static Status status(int code, String message) {
        return new StatusBuilder().withCode(code).withStatus("Failure").withMessage(message).build();
    }

    @Test
    void labelsTheFirstOrdinalAndSaysHowLongItTook() {
        redisShard();

        int code = run();

        assertThat(code).isZero();
        assertThat(firstPod().getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(log()).singleElement().asString()
                .matches("first-ordinal label-self: pod " + ns + "/redis-0 is the first ordinal \\(0\\) of StatefulSet redis: "
                        + "added label velero-backup-schedule=redis and 5 hook annotations \\(\\d+ ms after JVM start\\)");
    }

    @Test
    void retriesInjectedServerErrorsThenLabelsThePod() {
        redisShard();
        server.expect().get().withPath(podPath()).andReturn(500, status(500, "etcdserver: leader changed")).times(2);

        int code = run();

        assertThat(code).isZero();
        assertThat(firstPod().getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(time.sleeps).hasSize(2);
        assertThat(log()).hasSize(3);
        assertThat(log().get(0)).startsWith("first-ordinal label-self: attempt 1 failed (transient): get pods/redis-0 in namespace \""
                + ns + "\": HTTP 500: etcdserver: leader changed; retrying in ");
        assertThat(log().get(2)).contains("added label velero-backup-schedule=redis");
    }

    @Test
    void readsThePodAgainAfterAConflictingPatch() {
        redisShard();
        server.expect().patch().withPath(podPath())
                .andReturn(422, status(422, "testing value /metadata/resourceVersion failed: test failed")).once();

        int code = run();

        assertThat(code).isZero();
        assertThat(firstPod().getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(log().get(0)).contains("attempt 1 failed (conflict)");
    }

    @Test
    void aForbiddenPatchNamesTheMissingRuleAndStillExitsZero() {
        redisShard();
        server.expect().patch().withPath(podPath()).andReturn(403, status(403, "pods \"redis-0\" is forbidden: User "
                + "\"system:serviceaccount:" + ns + ":redis\" cannot patch resource \"pods\" in API group \"\" in the namespace \""
                + ns + "\"")).always();

        int code = run();

        assertThat(code).isZero();
        assertThat(time.sleeps).as("403 is not retried").isEmpty();
        assertThat(log()).containsExactly(
                "first-ordinal label-self: GAVE UP: RBAC: the ServiceAccount needs \"patch\" on \"pods\" in namespace \"" + ns
                        + "\" (Role first-ordinal-labeller); the API server said: pods \"redis-0\" is forbidden: User \"system:serviceaccount:"
                        + ns + ":redis\" cannot patch resource \"pods\" in API group \"\" in the namespace \"" + ns + "\"",
                "first-ordinal label-self: pod " + ns + "/redis-0 is NOT marked for Velero backup; exiting 0 so the pod starts "
                        + "anyway (set --required to fail instead)");
        assertThat(firstPod().getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
    }

    @Test
    void aForbiddenPatchExitsOneWhenRequired() {
        redisShard();
        server.expect().patch().withPath(podPath()).andReturn(403, status(403, "forbidden")).always();

        int code = run("--required");

        assertThat(code).isEqualTo(1);
        assertThat(log()).last().asString().isEqualTo("first-ordinal label-self: pod " + ns
                + "/redis-0 is NOT marked for Velero backup; exiting 1 because --required is set");
    }

    @Test
    void givesUpAfterTheTimeoutAndStillExitsZero() {
        redisShard();
        server.expect().get().withPath(podPath()).andReturn(503, status(503, "the server is currently unable to handle the request")).always();

        int code = run("--timeout", "20s");

        assertThat(code).isZero();
        assertThat(time.slept()).isEqualTo(Duration.ofSeconds(20));
        List<String> log = log();
        assertThat(log.get(log.size() - 2)).matches("first-ordinal label-self: GAVE UP: still failing after \\d+ attempts within "
                + "the 20 s timeout; last error: get pods/redis-0 in namespace \"" + ns + "\": HTTP 503: the server is currently "
                + "unable to handle the request");
        assertThat(log.get(log.size() - 1)).contains("exiting 0 so the pod starts anyway");
    }

    @Test
    void givesUpAfterTheTimeoutWithExitOneWhenRequired() {
        redisShard();
        server.expect().get().withPath(podPath()).andReturn(503, status(503, "unavailable")).always();

        int code = run("--timeout", "20s", "--required");

        assertThat(code).isEqualTo(1);
        assertThat(log()).anyMatch(line -> line.startsWith("first-ordinal label-self: GAVE UP: still failing after"));
    }

    @Test
    void retriesWhileTheApiServerRefusesConnections() {
        Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:1/").build();

        int code = run(nowhere, "--timeout", "3s");

        assertThat(code).isZero();
        assertThat(time.slept()).isEqualTo(Duration.ofSeconds(3));
        assertThat(log()).anyMatch(line -> line.matches("first-ordinal label-self: GAVE UP: still failing after \\d+ attempts within "
                + "the 3 s timeout; last error: get pods/redis-0 in namespace \"" + ns + "\": cannot reach the API server: .*"));
    }

    @Test
    void aMissingPodGivesUpAtOnceWithTheDownwardApiHint() {
        int code = run("--required");

        assertThat(code).isEqualTo(1);
        assertThat(time.sleeps).isEmpty();
        assertThat(log().get(0)).isEqualTo("first-ordinal label-self: GAVE UP: pod " + ns + "/redis-0 not found: POD_NAME and "
                + "POD_NAMESPACE must name this pod (env from the Downward API: fieldRef metadata.name and metadata.namespace)");
    }

    @Test
    void badArgumentsExitTwoWithOneLineAndTheHelpHint() {
        List<String> clientsMade = new ArrayList<>();
        LabelSelfCommand command = new LabelSelfCommand(Map.of("POD_NAME", "redis-0", "POD_NAMESPACE", ns),
                timeout -> {
                    clientsMade.add("client");
                    return LabellerClient.create(client.getConfiguration(), timeout);
                }, time, time::nanoTime, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        int code = command.run(List.of("--timeout", "forever"));

        assertThat(code).isEqualTo(2);
        assertThat(log()).containsExactly("first-ordinal label-self: --timeout: 'forever' is not a duration such as 60s, 2m or 90",
                "Try 'first-ordinal label-self --help' for the options.");
        assertThat(clientsMade).isEmpty();
    }

    @Test
    void helpListsTheOptionsAndExitCodes() {
        int code = run("--help");

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--timeout", "--required", "POD_NAME", "POD_NAMESPACE", "Exit codes");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
