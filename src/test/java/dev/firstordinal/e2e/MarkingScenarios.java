package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.assertTwins;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The StatefulSet scenarios every marking mode must pass: the real StatefulSet controller creates the
 * pods and the real API server stores them after the mode's mutation. Each workload is created twice:
 * in an opted-in namespace and as a twin in one that is not. Stored pods may differ from their twins
 * only by the label and the hook annotations, and only on the first ordinal. A subclass installs
 * the mode ({@link #install()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MarkingScenarios {

    private static final String IN = "e2e-marking";
    private static final String TWIN = "e2e-marking-twin";
    private static final Map<String, String> LABELS = Map.of(LABEL, LABEL_VALUE);

    private KubernetesClient client;
    private ControlPlane cluster;

    /** Installs the marking mode under test and returns its cluster. */
    abstract ControlPlane install() throws Exception;

    @BeforeAll
    void installMode() throws Exception {
        cluster = install();
        client = cluster.admin();
        ClusterWorkloads.namespace(client, IN, ClusterWorkloads.OPTED_IN);
        ClusterWorkloads.namespace(client, TWIN, Map.of());
    }

    /** Creates the set in both namespaces and asserts the stored pods once there are {@code count}. */
    private void createAndCompare(String name, int count, UnaryOperator<io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder> shape,
                                         Set<String> marked, Map<String, String> annotations) {
        StatefulSet set = null;
        for (String ns : List.of(IN, TWIN)) {
            set = shape.apply(ClusterWorkloads.shard(ns, name, count)).build();
            ClusterWorkloads.create(client, set);
        }
        compare(name, count, marked, annotations, dev.firstordinal.cluster.StatefulSets.startOrdinal(set));
    }

    private void compare(String name, int count, Set<String> marked, Map<String, String> annotations) {
        compare(name, count, marked, annotations, 0);
    }

    private void compare(String name, int count, Set<String> marked, Map<String, String> annotations, int startOrdinal) {
        long deadline = System.nanoTime() + settle(startOrdinal).toNanos();
        while (true) {
            List<Pod> pods = ClusterWorkloads.awaitPods(client, IN, name, count);
            List<Pod> twins = ClusterWorkloads.awaitPods(client, TWIN, name, count);
            try {
                assertTwins(pods, twins, marked, LABELS, annotations);
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Waits.pause(Duration.ofMillis(250));
            }
        }
    }

    /**
     * How long the stored pods of a set starting at {@code startOrdinal} may take to reach what the
     * mode makes of them. Zero for a mode that marks at admission only; a mode with a reconciler
     * beside its admission step (policy-sync) may mark a pod just after it was created.
     */
    Duration settle(int startOrdinal) {
        return Duration.ZERO;
    }

    @Test
    void threeShardsEachGetTheirFirstOrdinalMarkedAndNothingElse() {
        for (int shard = 0; shard < 3; shard++) {
            String name = "shard-" + shard;
            createAndCompare(name, 3, b -> b, Set.of(name + "-0"), hookFor("redis"));
        }
    }

    @Test
    void startOrdinalThreeMarksPodThree() {
        createAndCompare("started", 3, b -> b.editSpec().withNewOrdinals().withStart(3).endOrdinals().endSpec(),
                Set.of("started-3"), hookFor("redis"));
    }

    @Test
    void scalingZeroThreeFiveOneThreeKeepsExactlyTheFirstOrdinalMarked() {
        createAndCompare("scaled", 0, b -> b, Set.of(), Map.of());
        for (int replicas : new int[] {3, 5, 1, 3}) {
            for (String ns : List.of(IN, TWIN)) {
                ClusterWorkloads.scale(client, ns, "scaled", replicas);
            }
            compare("scaled", replicas, Set.of("scaled-0"), hookFor("redis"));
        }
        // The controller recreates a deleted first-ordinal pod: the new one is marked again.
        Map<String, String> oldUids = new java.util.HashMap<>();
        for (String ns : List.of(IN, TWIN)) {
            oldUids.put(ns, client.pods().inNamespace(ns).withName("scaled-0").get().getMetadata().getUid());
            client.pods().inNamespace(ns).withName("scaled-0").withGracePeriod(0).delete();
        }
        for (String ns : List.of(IN, TWIN)) {
            ClusterWorkloads.awaitPods(client, ns, Map.of("app", "scaled"), 3,
                    pods -> !pods.get(0).getMetadata().getUid().equals(oldUids.get(ns)));
        }
        compare("scaled", 3, Set.of("scaled-0"), hookFor("redis"));
    }

    @Test
    void aStatefulSetWhoseNameEndsInDigitsIsReadFromTheOwnerNotTheName() {
        createAndCompare("redis-7", 2, b -> b, Set.of("redis-7-0"), hookFor("redis"));
    }

    @Test
    void userHookAnnotationsOnTheTemplateWinAndOnlyTheLabelIsAdded() {
        Map<String, String> userHook = Map.of("pre.hook.backup.velero.io/command", "[\"/bin/true\"]");
        createAndCompare("own-hook", 2, b -> b.editSpec().editTemplate().editMetadata().withAnnotations(userHook)
                .endMetadata().endTemplate().endSpec(), Set.of("own-hook-0"), Map.of());
        assertThat(marks(client.pods().inNamespace(IN).withName("own-hook-0").get()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("label " + LABEL, LABEL_VALUE, "pre.hook.backup.velero.io/command", "[\"/bin/true\"]"));
    }

    @Test
    void theSkipAnnotationLeavesTheWholeSetAlone() {
        createAndCompare("skipped", 2, b -> b.editSpec().editTemplate().editMetadata()
                .withAnnotations(Map.of("first-ordinal.dev/skip", "true")).endMetadata().endTemplate().endSpec(), Set.of(), Map.of());
    }

    /**
     * Issue 30 #1: Bitnami's {@code architecture: replication} is one shard in two sets, told apart by
     * {@code app.kubernetes.io/component}. Only the master set's first ordinal is marked; {@code audit}
     * calls the replica set skipped and says why.
     */
    @Test
    void bitnamisReplicationLayoutIsBackedUpOnceThroughItsMasterSet() {
        createAndCompare("cache-master", 1, b -> component(b, "master"), Set.of("cache-master-0"), hookFor("redis"));
        createAndCompare("cache-replicas", 2, b -> component(b, "replica"), Set.of(), Map.of());

        Command audit = JarCommand.run(cluster.kubeconfig(), Map.of(), "audit", "-n", IN);

        assertThat(audit.stdout()).as("audit:\n%s\n%s", audit.stdout(), audit.stderr())
                .containsPattern(IN + " +cache-master +cache-master-0 +redis +yes .* covered\\n")
                .containsPattern(IN + " +cache-replicas +cache-replicas-0 +none +no .* skipped\\n")
                .contains("  " + IN + "/cache-replicas: replica tier (pod label app.kubernetes.io/component=replica)");
    }

    private static io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder component(
            io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder set, String component) {
        return set.editSpec().editTemplate().editMetadata().addToLabels("app.kubernetes.io/component", component)
                .endMetadata().endTemplate().endSpec();
    }

    @Test
    void podsOfDeploymentsJobsAndABarePodNamedLikeAnOrdinalAreLeftAlone() {
        for (String ns : List.of(IN, TWIN)) {
            client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata()
                    .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
            client.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                    .withNewMetadata().withName("redis-0").endMetadata()
                    .withNewSpec().withNewTemplate().withNewMetadata().withLabels(Map.of("app", "job")).endMetadata()
                    .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("redis").withImage("redis:7.2").endContainer()
                    .endSpec().endTemplate().endSpec().build()).create();
            client.pods().inNamespace(ns).resource(new PodBuilder()
                    .withNewMetadata().withName("redis-0").withLabels(Map.of("app", "bare")).endMetadata()
                    .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec().build()).create();
        }
        for (String app : List.of("web", "job", "bare")) {
            int count = app.equals("web") ? 2 : 1;
            List<Pod> pods = ClusterWorkloads.awaitPods(client, IN, Map.of("app", app), count, p -> true);
            List<Pod> twins = ClusterWorkloads.awaitPods(client, TWIN, Map.of("app", app), count, p -> true);
            if (app.equals("bare")) {
                assertTwins(pods, twins, Set.of(), LABELS, Map.of());
            } else {
                // Generated names differ between the namespaces: compare that none is marked.
                assertThat(pods).allSatisfy(p -> assertThat(marks(p)).as(p.getMetadata().getName()).isEmpty());
            }
        }
    }

    @Test
    void namespacesThatDidNotOptInAndKubeSystemAreNeverMarked() {
        client.namespaces().withName("kube-system").edit(ns -> {
            ns.getMetadata().getLabels().putAll(ClusterWorkloads.OPTED_IN);
            return ns;
        });
        ClusterWorkloads.create(client, ClusterWorkloads.shard("kube-system", "system-redis", 2).build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(TWIN, "plain", 2).build());
        assertThat(ClusterWorkloads.awaitPods(client, "kube-system", "system-redis", 2))
                .allSatisfy(p -> assertThat(marks(p)).as(p.getMetadata().getName()).isEmpty());
        assertThat(ClusterWorkloads.awaitPods(client, TWIN, "plain", 2))
                .allSatisfy(p -> assertThat(marks(p)).as(p.getMetadata().getName()).isEmpty());
    }

    @Test
    void theShippedExampleMarksTheShardsFirstPod() throws Exception {
        ClusterWorkloads.deleteNamespace(client, "redis"); // VeleroClusterIT makes a Parallel variant of it
        cluster.kubectl(null, "apply", "-k", Path.of("deploy/examples/redis-sentinel").toAbsolutePath().toString())
                .orThrow();
        // OrderedReady: without a kubelet pod 0 never becomes Ready, so the controller creates only it.
        Pod first = ClusterWorkloads.awaitPods(client, "redis", "redis-shard-0", 1).get(0);
        assertThat(first.getMetadata().getName()).isEqualTo("redis-shard-0-0");
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        assertThat(marks(first)).containsExactlyInAnyOrderEntriesOf(expected);
    }
}
