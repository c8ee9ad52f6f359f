package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The install a user runs, on a real node: {@code helm install} with the chart's default values (self-managed TLS,
 * two replicas, fail open) and the image built from Dockerfile.jvm. The webhook pods run under the chart's
 * securityContext, probes and memory limit, and the API server calls them through their Service, with the
 * caBundle the webhook wrote itself: the MutatingWebhookConfiguration's {@code clientConfig} exactly as shipped.
 */
@Tag("real-node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmInstallNodeIT {

    private static final String SHARDS = "helm-install-redis";

    private static RealNode node;
    private static KubernetesClient admin;

    @BeforeAll
    static void installTheChartWithItsDefaults() {
        node = RealNode.shared();
        admin = node.cluster().admin();
        NodeInstall.helmInstall(node, NodeInstall.imageValues(node));
    }

    @AfterAll
    static void uninstall() {
        if (node != null) {
            NodeInstall.removeWithTheWebhook(node, SHARDS);
        }
    }

    @Test
    @Order(1)
    void bothReplicasBecomeReadyUnderTheChartsSecurityContextProbesAndLimits() {
        List<Pod> pods = NodeInstall.awaitWebhookPods(admin, 2);

        Container container = pods.get(0).getSpec().getContainers().get(0);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getLivenessProbe()).isNotNull();
        assertThat(container.getReadinessProbe()).isNotNull();
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
        assertThat(pods).allSatisfy(pod -> assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount())
                .as("restarts of %s", pod.getMetadata().getName()).isZero());
        // What the securityContext does inside the running container, not only what the spec says.
        String pod = pods.get(0).getMetadata().getName();
        assertThat(node.exec(NodeInstall.NAMESPACE, pod, container.getName(), "id", "-u").orThrow().stdout().strip())
                .isEqualTo("185");
        Command write = node.exec(NodeInstall.NAMESPACE, pod, container.getName(), "touch", "/deployments/probe");
        assertThat(write.exitCode()).as("a write to the root filesystem").isNotZero();
        assertThat(write.stderr()).contains("Read-only file system");
        assertThat(node.exec(NodeInstall.NAMESPACE, pod, container.getName(), "grep", "^CapEff", "/proc/1/status")
                .orThrow().stdout()).contains("0000000000000000");
    }

    @Test
    @Order(2)
    void theWebhookWroteItsCaBundleAndServingSecretItself() {
        MutatingWebhook webhook = webhook();
        Secret tls = Waits.until(Duration.ofSeconds(60), "the webhook's TLS Secret",
                () -> admin.secrets().inNamespace(NodeInstall.NAMESPACE).withName("first-ordinal-tls").get());
        String caBundle = Waits.until(Duration.ofSeconds(60), "a caBundle in the MutatingWebhookConfiguration", () -> {
            String bundle = webhook().getClientConfig().getCaBundle();
            return bundle == null || bundle.isEmpty() ? null : bundle;
        });

        assertThat(webhook.getClientConfig().getUrl()).as("clientConfig.url").isNull();
        assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("first-ordinal");
        assertThat(webhook.getClientConfig().getService().getNamespace()).isEqualTo(NodeInstall.NAMESPACE);
        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(new String(Base64.getDecoder().decode(caBundle)))
                .contains(new String(Base64.getDecoder().decode(tls.getData().get("ca.crt"))).strip());
    }

    @Test
    @Order(3)
    void theApiServerCallsTheWebhookThroughItsServiceAndOnlyTheFirstOrdinalIsMarked() {
        ClusterWorkloads.namespace(admin, SHARDS, ClusterWorkloads.OPTED_IN);

        List<Pod> pods = NodeInstall.runningShard(node, SHARDS, "shard", 3);

        assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactly("shard-0", "shard-1", "shard-2");
        assertThat(StoredPods.marks(pods.get(0))).containsEntry("label " + StoredPods.LABEL, StoredPods.LABEL_VALUE)
                .containsAllEntriesOf(StoredPods.hookFor("redis"));
        assertThat(StoredPods.marks(pods.get(1))).isEmpty();
        assertThat(StoredPods.marks(pods.get(2))).isEmpty();
    }

    @Test
    @Order(4)
    void onOneNodeBothReplicasShareItAndThePdbKeepsOneAvailable() {
        List<Pod> pods = NodeInstall.awaitWebhookPods(admin, 2);
        PodDisruptionBudget pdb = admin.policy().v1().podDisruptionBudget().inNamespace(NodeInstall.NAMESPACE)
                .withName("first-ordinal").get();

        // The chart's anti-affinity is preferred, not required: on one node both replicas run there.
        assertThat(pods).extracting(p -> p.getSpec().getNodeName()).containsOnly(node.setting("FIRST_ORDINAL_E2E_NODE_NAME"));
        assertThat(pods.get(0).getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .isNullOrEmpty();
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(Waits.until(Duration.ofSeconds(60), "the PDB's status", () -> {
            var status = admin.policy().v1().podDisruptionBudget().inNamespace(NodeInstall.NAMESPACE).withName("first-ordinal")
                    .get().getStatus();
            return status != null && status.getCurrentHealthy() == 2 ? status : null;
        }).getDisruptionsAllowed()).isEqualTo(1);
    }

    private static MutatingWebhook webhook() {
        MutatingWebhookConfiguration configuration = admin.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("first-ordinal").get();
        assertThat(configuration).as("MutatingWebhookConfiguration first-ordinal").isNotNull();
        return configuration.getWebhooks().get(0);
    }
}
