package dev.firstordinal.repair;

import dev.firstordinal.cluster.LeaseElection;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.Await;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The repair loop against fabric8's mock API server in CRUD mode: Lease, watches, the set read fresh, guarded patches. */
@EnableKubernetesMockClient(crud = true)
class RepairerTest {

    static KubernetesClient client;

    private static final String LABEL = MarkingPolicy.DEFAULT_LABEL_KEY;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Repairer repairer;

    @AfterEach
    void stop() {
        if (repairer != null) {
            repairer.close();
        }
    }

    private Repairer start(String identity) {
        StartOrdinalLookup nothingCached = new StartOrdinalLookup() {
            @Override
            public StartOrdinal startOrdinal(String namespace, String statefulSet) {
                throw new AssertionError("the repairer reads sets from the API server, not through the lookup");
            }

            @Override
            public Optional<StartOrdinal> withoutBlocking(String namespace, String statefulSet) {
                return Optional.empty();
            }
        };
        LeaseElection.Lease lease = new LeaseElection.Lease("first-ordinal", "first-ordinal-repair", identity,
                Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
        Repairer started = new Repairer(client, new FirstOrdinalRule(MarkingPolicy.defaults()), nothingCached,
                new Repairer.Settings(lease, NamespaceLabel.parse(NamespaceLabel.DEFAULT), List.of(), Set.of("kube-system", "first-ordinal"),
                        Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(200)),
                new RepairMetrics(registry), Clock.systemUTC());
        started.start();
        return started;
    }

    private static StatefulSet set(String namespace, String name, int replicas) {
        StatefulSet set = Workloads.redis(namespace, name, replicas, null);
        return client.apps().statefulSets().inNamespace(namespace).resource(set).create();
    }

    private static Pod pod(StatefulSet set, int ordinal, boolean marked) {
        Pod pod = new PodBuilder(Workloads.pod(set, ordinal)).editMetadata().withNamespace(set.getMetadata().getNamespace()).endMetadata().build();
        if (marked) {
            pod = new PodBuilder(pod).editMetadata().addToLabels(LABEL, "redis")
                    .addToAnnotations(MarkingPolicy.defaults().hook().forContainer("redis")).endMetadata().build();
        }
        return client.pods().inNamespace(set.getMetadata().getNamespace()).resource(pod).create();
    }

    private static Map<String, String> labels(String namespace, String pod) {
        return client.pods().inNamespace(namespace).withName(pod).get().getMetadata().getLabels();
    }

    private static Map<String, String> annotations(String namespace, String pod) {
        Map<String, String> annotations = client.pods().inNamespace(namespace).withName(pod).get().getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private double repairs(String cause) {
        return registry.get(RepairMetrics.REPAIRS).tag("cause", cause).counter().count();
    }

    private long unmarkedRecorded(String cause) {
        return registry.get(RepairMetrics.UNMARKED).tag("cause", cause).timer().count();
    }

    /**
     * The repairer counts a repair on its own thread once the API server has answered the patch, so the pod can be
     * read patched a moment before the count moves: wait for it, then check the exact counts.
     */
    private static void awaitCounted(BooleanSupplier counted) {
        Await.until(Duration.ofSeconds(10), counted);
    }

    @Test
    void refreshesAnOlderReleasesHookAndLeavesAUsersHookAlone() {
        Workloads.createNamespace(client, "upgraded", Map.of("first-ordinal.dev/backup", "enabled"));
        StatefulSet old = set("upgraded", "old", 1);
        client.pods().inNamespace("upgraded").resource(new PodBuilder(Workloads.pod(old, 0)).editMetadata().withNamespace("upgraded")
                .addToLabels(LABEL, "redis").addToAnnotations(dev.firstordinal.testing.OlderHook.annotations()).endMetadata().build()).create();
        StatefulSet users = set("upgraded", "users", 1);
        Map<String, String> usersHook = Map.of(HookAnnotations.COMMAND, "[\"/bin/sh\",\"-c\",\"redis-cli SAVE\"]");
        client.pods().inNamespace("upgraded").resource(new PodBuilder(Workloads.pod(users, 0)).editMetadata().withNamespace("upgraded")
                .addToLabels(LABEL, "redis").addToAnnotations(usersHook).endMetadata().build()).create();

        repairer = start("replica-a");

        Await.until(Duration.ofSeconds(20), () -> annotations("upgraded", "old-0").containsKey(HookAnnotations.IDENTITY));
        awaitCounted(() -> repairs("stale_hook") > 0);
        assertThat(annotations("upgraded", "old-0")).isEqualTo(MarkingPolicy.defaults().hook().forContainer("redis"));
        assertThat(annotations("upgraded", "users-0")).isEqualTo(usersHook);
        assertThat(repairs("stale_hook")).isEqualTo(1);
    }

    @Test
    void marksTheUnmarkedFirstOrdinalAndCleansAMarkedReplicaOfAnOptedInNamespaceOnly() {
        Workloads.createNamespace(client, "shop", Map.of("first-ordinal.dev/backup", "enabled"));
        Workloads.createNamespace(client, "elsewhere", Map.of());
        StatefulSet shop = set("shop", "cache", 2);
        pod(shop, 0, false);
        pod(shop, 1, true);
        StatefulSet other = set("elsewhere", "cache", 1);
        pod(other, 0, false);

        repairer = start("replica-a");

        Await.until(Duration.ofSeconds(20), () -> labels("shop", "cache-0").containsKey(LABEL) && annotations("shop", "cache-1").isEmpty());
        awaitCounted(() -> repairs("missed_at_admission") > 0 && repairs("cleaned") > 0 && unmarkedRecorded("missed_at_admission") > 0);
        assertThat(annotations("shop", "cache-0")).containsKey(HookAnnotations.COMMAND);
        assertThat(labels("shop", "cache-1")).doesNotContainKey(LABEL);
        assertThat(labels("elsewhere", "cache-0")).as("a namespace that did not opt in").doesNotContainKey(LABEL);
        assertThat(repairs("missed_at_admission")).isEqualTo(1);
        assertThat(repairs("cleaned")).isEqualTo(1);
        assertThat(unmarkedRecorded("missed_at_admission")).isEqualTo(1);
        assertThat(registry.get(RepairMetrics.LEADER).gauge().value()).isEqualTo(1);
        assertThat(repairer.isLeader()).isTrue();

        // A pod created later, while the repairer runs: marked on its event, not only at the next resync.
        StatefulSet late = set("shop", "late", 1);
        pod(late, 0, false);
        Await.until(Duration.ofSeconds(20), () -> labels("shop", "late-0").containsKey(LABEL));
    }
}
