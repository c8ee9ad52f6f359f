package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uninstall as docs/install.md says: {@code helm uninstall first-ordinal -n first-ordinal} (the chart's pre-delete
 * Job deletes the webhook configuration first), {@code kubectl delete namespace first-ordinal}, then the namespace's
 * opt-in label removed. Nothing of first-ordinal is left, and pods are still created in the namespace that had opted in.
 */
@Tag("real-node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UninstallNodeIT {

    private static final String SHARDS = "uninstall-redis";

    private static RealNode node;
    private static KubernetesClient admin;

    @BeforeAll
    static void installAndMarkAShard() {
        node = RealNode.shared();
        admin = node.cluster().admin();
        NodeInstall.helmInstall(node, NodeInstall.imageValues(node));
        ClusterWorkloads.namespace(admin, SHARDS, ClusterWorkloads.OPTED_IN);
        List<Pod> pods = NodeInstall.runningShard(node, SHARDS, "before", 2);
        assertThat(StoredPods.marks(pods.get(0))).as("marked while installed").isNotEmpty();
    }

    @Test
    @Order(1)
    void helmUninstallAndTheNamespaceDeleteLeaveNothingOfFirstOrdinal() {
        NodeInstall.helmUninstall(node);
        node.cluster().kubectl(null, "delete", "namespace", NodeInstall.NAMESPACE, "--wait=true", "--timeout=120s").orThrow();
        node.cluster().kubectl(null, "label", "namespace", SHARDS, "first-ordinal.dev/backup-").orThrow();

        List<String> left = Stream.<List<? extends HasMetadata>>of(
                        admin.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems(),
                        admin.rbac().clusterRoles().list().getItems(),
                        admin.rbac().clusterRoleBindings().list().getItems(),
                        admin.namespaces().list().getItems())
                .flatMap(List::stream)
                .filter(o -> o.getMetadata().getName().startsWith("first-ordinal")
                        || "first-ordinal".equals(label(o, "app.kubernetes.io/name")))
                .map(o -> o.getKind() + " " + o.getMetadata().getName()).toList();
        assertThat(left).as("first-ordinal objects left after uninstall").isEmpty();
        assertThat(admin.pods().inAnyNamespace().withLabel("app.kubernetes.io/name", "first-ordinal").list().getItems())
                .as("first-ordinal pods left").isEmpty();
    }

    @Test
    @Order(2)
    void podsAreStillCreatedInTheNamespaceThatHadOptedIn() {
        long started = System.nanoTime();
        List<Pod> pods = NodeInstall.runningShard(node, SHARDS, "after", 2);

        assertThat(pods).allSatisfy(pod -> assertThat(StoredPods.marks(pod)).isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no admission call waited on a missing webhook")
                .isLessThan(Duration.ofSeconds(60));
        ClusterWorkloads.deleteNamespace(admin, SHARDS);
    }

    private static String label(HasMetadata object, String key) {
        return object.getMetadata().getLabels() == null ? null : object.getMetadata().getLabels().get(key);
    }
}
