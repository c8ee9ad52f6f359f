package dev.firstordinal.audit;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What the audit and the coverage gauges read, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class ClusterReaderTest {

    private static final String NS = "reader";
    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeEach
    void emptyTheCluster() {
        server.reset();
        Workloads.createNamespace(client, NS, Shards.OPTED_IN);
    }

    /** The snapshots as the pre-#31 reader made them: whole objects, every claim of the namespace. */
    private static List<ShardSnapshot> wholeObjects() {
        Set<String> claims = new java.util.HashSet<>();
        client.persistentVolumeClaims().inNamespace(NS).list().getItems().forEach(c -> claims.add(c.getMetadata().getName()));
        List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
        return client.apps().statefulSets().inNamespace(NS).list().getItems().stream()
                .sorted(java.util.Comparator.comparing(s -> s.getMetadata().getName()))
                .map(set -> new ShardSnapshot(set, pods.stream().filter(p -> p.getMetadata().getOwnerReferences().get(0).getName()
                        .equals(set.getMetadata().getName())).toList(), claims))
                .toList();
    }

    private static void fixtures() {
        Shards.coveredUncoveredOvercovered(client, NS);
        StatefulSet skipped = new StatefulSetBuilder(Workloads.redis(NS, "cache-d", 1, 2)).editSpec().editTemplate().editMetadata()
                .addToAnnotations("first-ordinal.dev/skip", "true").endMetadata().endTemplate().endSpec().build();
        Shards.create(client, skipped);
        StatefulSet startsAtThree = Workloads.redis(NS, "cache-e", 2, 3);
        Shards.create(client, startsAtThree, Workloads.pod(startsAtThree, 3), Shards.markedAnyway(startsAtThree, 4));
    }

    @Test
    void givesTheCoverageAndTheBackfillOfTheWholeObjects() {
        fixtures();
        List<ShardSnapshot> read = new ClusterReader(client).snapshots(List.of(NS));
        List<ShardSnapshot> whole = wholeObjects();

        assertThat(read).hasSize(5);
        assertThat(read.stream().map(s -> CoverageCheck.of(s, Shards.RULE)).toList())
                .isEqualTo(whole.stream().map(s -> CoverageCheck.of(s, Shards.RULE)).toList());
        assertThat(read.stream().map(s -> CoverageCheck.of(s, Shards.RULE).state()).toList())
                .containsExactly(CoverageState.COVERED, CoverageState.UNCOVERED, CoverageState.OVERCOVERED, CoverageState.SKIPPED,
                        CoverageState.UNCOVERED);
        assertThat(Backfill.plan(read, Shards.RULE)).isEqualTo(Backfill.plan(whole, Shards.RULE));
        assertThat(Backfill.plan(read, Shards.RULE).fixes()).extracting(PodFix::pod)
                .containsExactly("cache-b-0", "cache-c-1", "cache-e-3", "cache-e-4");
    }

    @Test
    void keepsOfEachPodOnlyWhatTheCheckReads() {
        StatefulSet set = Workloads.redis(NS, "cache", 2, null);
        Pod first = new PodBuilder(Workloads.pod(set, 0)).editSpec().editFirstContainer()
                .addNewEnv().withName("BIG").withValue("x".repeat(4096)).endEnv().endContainer().endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build();
        Shards.create(client, set, first, Workloads.pod(set, 1));

        List<Pod> pods = new ClusterReader(client).snapshots(List.of(NS)).get(0).pods();

        Pod readFirst = pods.stream().filter(p -> p.getMetadata().getName().equals("cache-0")).findFirst().orElseThrow();
        Pod readOther = pods.stream().filter(p -> p.getMetadata().getName().equals("cache-1")).findFirst().orElseThrow();
        assertThat(readFirst.getStatus()).isNull();
        assertThat(readFirst.getSpec().getContainers()).extracting(c -> c.getName() + " " + c.getImage())
                .containsExactly("redis redis:7.2", "metrics oliver006/redis_exporter:v1.62.0");
        assertThat(readFirst.getSpec().getContainers().get(0).getEnv()).isEmpty();
        assertThat(readFirst.getSpec().getVolumes()).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-cache-0"));
        assertThat(readFirst.getMetadata().getLabels()).isEqualTo(first.getMetadata().getLabels());
        assertThat(readOther.getSpec()).as("another ordinal: metadata only").isNull();
        assertThat(readOther.getMetadata().getOwnerReferences()).isNotEmpty();
    }

    @Test
    void readsANamespaceInBatchesOfAtMostTheBoundAndSeesEveryPodOfEachSet() {
        fixtures();
        List<Integer> sizes = new ArrayList<>();
        List<ShardCoverage> batched = new ArrayList<>();

        int passes = new ClusterReader(client, ns -> Optional.empty(), 2).read(NS, batch -> {
            sizes.add(batch.size());
            batch.forEach(s -> batched.add(CoverageCheck.of(s, Shards.RULE)));
        });

        assertThat(passes).isEqualTo(3);
        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(batched).isEqualTo(wholeObjects().stream().map(s -> CoverageCheck.of(s, Shards.RULE)).toList());
    }

    @Test
    void takesTheStatefulSetsFromTheCacheWhenItHasThem() {
        StatefulSet listed = Workloads.redis(NS, "listed", 1, null);
        Shards.create(client, listed, Shards.admitted(listed, 0));
        StatefulSet onlyCached = Workloads.redis(NS, "cached", 1, 4);
        List<String> names = new ArrayList<>();

        new ClusterReader(client, ns -> ns.equals(NS) ? Optional.of(List.of(onlyCached)) : Optional.empty())
                .read(NS, batch -> batch.forEach(s -> names.add(s.name() + " " + CoverageCheck.of(s, Shards.RULE).firstPod())));

        assertThat(names).containsExactly("cached cached-4");
    }

    @Test
    void listsTheOptedInNamespacesSorted() {
        Workloads.createNamespace(client, "b-in", Shards.OPTED_IN);
        Workloads.createNamespace(client, "a-in", Shards.OPTED_IN);
        Workloads.createNamespace(client, "out", Map.of());

        assertThat(new ClusterReader(client).optedInNamespaces(NamespaceLabel.parse(NamespaceLabel.DEFAULT)))
                .containsExactly("a-in", "b-in", NS);
    }
}
