package dev.firstordinal.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static dev.firstordinal.e2e.StoredPods.hookFor;
import static dev.firstordinal.e2e.StoredPods.marks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code label-self} as the initContainer of {@code deploy/labeller} runs it: {@code POD_NAME} and
 * {@code POD_NAMESPACE} from the Downward API, and a token of the shipped {@code first-ordinal-labeller}
 * ServiceAccount bound to that pod (TokenRequest API, what the projected volume holds), so the shipped
 * Role is all it may use. No webhook is involved: the namespace does not opt in.
 */
@Tag("real-cluster")
class LabelSelfClusterIT {

    private static final String NAMESPACE = "redis-example"; // deploy/labeller/example's own
    private static ControlPlane cluster;
    private static KubernetesClient client;

    @BeforeAll
    static void applyTheLabellerExample() throws Exception {
        cluster = ControlPlane.shared();
        client = cluster.admin();
        Path deploy = ClusterWebhook.copyDeployTree(cluster.dir().resolve("deploy-labeller"));
        cluster.kubectl(null, "apply", "-k", deploy.resolve("labeller/example").toString()).orThrow();
        // A Parallel set in the same namespace with the same ServiceAccount, so that replicas exist too
        // (the example is OrderedReady: without a kubelet only its first pod is ever created).
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NAMESPACE, "parallel", 3)
                .editSpec().editTemplate().editSpec().withServiceAccountName("first-ordinal-labeller").endSpec().endTemplate().endSpec()
                .build());
        ClusterWorkloads.awaitPods(client, NAMESPACE, "parallel", 3);
    }

    private static Command labelSelf(String pod) {
        Path kubeconfig = podBoundToken(pod);
        return JarCommand.run(kubeconfig, Map.of("POD_NAME", pod, "POD_NAMESPACE", NAMESPACE,
                "FIRST_ORDINAL_LABELLER_TIMEOUT", "20s"), "label-self");
    }

    /** What the labeller's projected token volume holds: a token of its ServiceAccount bound to its pod. */
    private static Path podBoundToken(String pod) {
        return cluster.serviceAccountKubeconfig(NAMESPACE, "first-ordinal-labeller", "--bound-object-kind", "Pod", "--bound-object-name", pod);
    }

    private static Map<String, String> expectedMarks() {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("label " + LABEL, LABEL_VALUE);
        expected.putAll(hookFor("redis"));
        return expected;
    }

    @Test
    void theFirstOrdinalPodLabelsItselfAndTheReplicasDoNot() {
        String examplePod = ClusterWorkloads.awaitPods(client, NAMESPACE, Map.of("app", "redis-shard-0"), 1, p -> true)
                .get(0).getMetadata().getName();
        for (String pod : List.of(examplePod, "parallel-0", "parallel-1", "parallel-2")) {
            Command run = labelSelf(pod);
            assertThat(run.exitCode()).as("label-self %s:\n%s%s", pod, run.stdout(), run.stderr()).isZero();
        }
        assertThat(marks(client.pods().inNamespace(NAMESPACE).withName(examplePod).get())).containsExactlyInAnyOrderEntriesOf(expectedMarks());
        assertThat(marks(client.pods().inNamespace(NAMESPACE).withName("parallel-0").get())).containsExactlyInAnyOrderEntriesOf(expectedMarks());
        for (String pod : List.of("parallel-1", "parallel-2")) {
            assertThat(marks(client.pods().inNamespace(NAMESPACE).withName(pod).get())).as(pod).isEmpty();
        }
        // A restart of the initContainer changes nothing.
        String version = client.pods().inNamespace(NAMESPACE).withName("parallel-0").get().getMetadata().getResourceVersion();
        assertThat(labelSelf("parallel-0").exitCode()).isZero();
        assertThat(client.pods().inNamespace(NAMESPACE).withName("parallel-0").get().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void withoutItsRoleItGivesUpWithTheDocumentedRbacMessage() {
        ClusterWorkloads.create(client, ClusterWorkloads.shard(NAMESPACE, "norole", 1)
                .editSpec().editTemplate().editSpec().withServiceAccountName("first-ordinal-labeller").endSpec().endTemplate().endSpec()
                .build());
        ClusterWorkloads.awaitPods(client, NAMESPACE, "norole", 1);
        String role = cluster.kubectl(null, "get", "role", "first-ordinal-labeller", "-n", NAMESPACE, "-o", "yaml").orThrow().stdout();
        cluster.kubectl(null, "delete", "role", "first-ordinal-labeller", "-n", NAMESPACE).orThrow();
        try {
            Command run = labelSelf("norole-0");
            assertThat(run.exitCode()).as("exits 0 by default so Redis starts").isZero();
            assertThat(run.stdout() + run.stderr())
                    .contains("GAVE UP: RBAC: the ServiceAccount needs")
                    .contains("(Role first-ordinal-labeller); the API server said:")
                    .contains("User \"system:serviceaccount:" + NAMESPACE + ":first-ordinal-labeller\" cannot")
                    .contains("pod " + NAMESPACE + "/norole-0 is NOT marked for Velero backup");
            assertThat(marks(client.pods().inNamespace(NAMESPACE).withName("norole-0").get())).isEmpty();
        } finally {
            cluster.kubectl(role.replaceAll("(?m)^\\s*(resourceVersion|uid|creationTimestamp):.*$", ""), "apply", "-f", "-");
        }
    }
}
