package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.firstordinal.e2e.StoredPods.LABEL;
import static dev.firstordinal.e2e.StoredPods.LABEL_VALUE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Do you need first-ordinal?" table, checked on a real StatefulSet controller: what a Velero Schedule
 * selecting {@code apps.kubernetes.io/pod-index: "0"} (nothing installed) backs up, against what first-ordinal marks.
 */
@Tag("real-cluster")
class PodIndexClusterIT {

    private static final String REDIS_NS = "e2e-pod-index";
    private static final String OTHER_NS = "e2e-pod-index-other";
    private static final String POD_INDEX = "apps.kubernetes.io/pod-index";

    private static List<String> names(KubernetesClient client, Map<String, String> selector) {
        return Stream.of(REDIS_NS, OTHER_NS)
                .flatMap(ns -> client.pods().inNamespace(ns).withLabels(selector).list().getItems().stream())
                .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).sorted().toList();
    }

    @Test
    void aPodIndexZeroScheduleMissesASetStartingAtThreeAndSweepsInEveryOtherSetsPodZero() {
        ControlPlane cluster = ControlPlane.shared();
        KubernetesClient client = cluster.admin();
        ClusterWorkloads.namespace(client, REDIS_NS, ClusterWorkloads.AUDIT_ONLY);
        ClusterWorkloads.namespace(client, OTHER_NS, Map.of());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(REDIS_NS, "shifted", 2).editSpec().withNewOrdinals().withStart(3).endOrdinals().endSpec().build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(REDIS_NS, "plain", 2).build());
        ClusterWorkloads.create(client, ClusterWorkloads.shard(OTHER_NS, "postgres", 2).build());
        List<Pod> shifted = ClusterWorkloads.awaitPods(client, REDIS_NS, "shifted", 2);
        ClusterWorkloads.awaitPods(client, REDIS_NS, "plain", 2);
        ClusterWorkloads.awaitPods(client, OTHER_NS, "postgres", 2);

        Command fix = JarCommand.auditAlone(cluster.kubeconfig(), REDIS_NS, "--fix");

        assertThat(shifted).extracting(p -> p.getMetadata().getName() + " " + POD_INDEX + "=" + p.getMetadata().getLabels().get(POD_INDEX))
                .as("the controller's pod-index is the ordinal, not the position from ordinals.start")
                .containsExactly("shifted-3 " + POD_INDEX + "=3", "shifted-4 " + POD_INDEX + "=4");
        assertThat(names(client, Map.of(POD_INDEX, "0"))).as("what a pod-index \"0\" Schedule selects")
                .containsExactly(OTHER_NS + "/postgres-0", REDIS_NS + "/plain-0");
        assertThat(fix.exitCode()).as("audit --fix:\n%s\n%s", fix.stdout(), fix.stderr()).isZero();
        assertThat(names(client, Map.of(LABEL, LABEL_VALUE))).as("what first-ordinal marks in the namespace it is given")
                .containsExactly(REDIS_NS + "/plain-0", REDIS_NS + "/shifted-3");
    }
}
