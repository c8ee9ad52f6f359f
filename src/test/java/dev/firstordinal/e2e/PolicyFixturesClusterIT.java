package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook's fixture table (src/test/resources/admission) through both modes: each fixture's pod
 * is created in an opted-in namespace of the webhook's cluster and of the policy's, and the two
 * stored pods must be equal. Every difference between the modes would show here.
 */
@Tag("real-cluster")
class PolicyFixturesClusterIT {

    private static final String NAMESPACE = "e2e-fixtures";

    private static KubernetesClient webhook;
    private static KubernetesClient policy;

    @BeforeAll
    static void install() throws Exception {
        webhook = ClusterWebhook.shared().cluster().admin();
        policy = PolicyMode.shared().admin();
        ClusterWorkloads.namespace(webhook, NAMESPACE, ClusterWorkloads.OPTED_IN);
        ClusterWorkloads.namespace(policy, NAMESPACE, ClusterWorkloads.OPTED_IN);
        // The fixtures' pods run as their StatefulSets' ServiceAccounts, which must exist for a pod to be admitted.
        java.util.Set<String> accounts = new java.util.TreeSet<>();
        podCreations().forEach(name -> {
            String account = Fixtures.review(name).at("/request/object/spec/serviceAccountName").asText("");
            if (!account.isEmpty()) {
                accounts.add(account);
            }
        });
        for (KubernetesClient client : java.util.List.of(webhook, policy)) {
            for (String account : accounts) {
                client.serviceAccounts().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                        .withNewMetadata().withName(account).endMetadata().build()).serverSideApply();
            }
        }
    }

    /** The fixtures that are pod CREATEs: the others (an UPDATE, a ConfigMap) never reach either mode. */
    static Stream<String> podCreations() throws IOException {
        return Fixtures.caseNames().filter(name -> {
            JsonNode request = Fixtures.review(name).get("request");
            return "CREATE".equals(request.path("operation").asText()) && "Pod".equals(request.at("/kind/kind").asText());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("podCreations")
    void theApiServerStoresTheSamePodWithThePolicyAsWithTheWebhook(String fixture) {
        ObjectNode review = Fixtures.review(fixture);
        Pod pod = Fixtures.JSON.convertValue(review.at("/request/object"), Pod.class);
        pod.getMetadata().setNamespace(NAMESPACE);
        Pod byWebhook;
        try {
            byWebhook = createAndDelete(webhook, pod);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException refused) {
            // A fixture the API server refuses after admission (e.g. an invalid annotation key) must be
            // refused the same way in policy mode.
            assertThat(refused.getCode()).as(fixture + ": " + refused.getMessage()).isEqualTo(422);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> createAndDelete(policy, pod))
                    .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(refused.getCode());
                        // The same validation errors; the API server lists them in map order, which differs per call.
                        assertThat(e.getStatus().getDetails().getCauses())
                                .containsExactlyInAnyOrderElementsOf(refused.getStatus().getDetails().getCauses());
                    });
            return;
        }
        Pod byPolicy = createAndDelete(policy, pod);
        String name = pod.getMetadata().getName();
        ObjectNode expected = comparable(byWebhook, name);
        assertThat(comparable(byPolicy, name)).as("%s: stored with the policy (actual) vs with the webhook (expected)", fixture).isEqualTo(expected);
    }

    private static Pod createAndDelete(KubernetesClient client, Pod pod) {
        Pod stored = client.pods().inNamespace(NAMESPACE).resource(pod).create();
        String name = stored.getMetadata().getName();
        client.pods().inNamespace(NAMESPACE).withName(name).withGracePeriod(0).delete();
        Waits.until(Duration.ofSeconds(30), "pod " + name + " deleted", () -> client.pods().inNamespace(NAMESPACE).withName(name).get() == null);
        return stored;
    }

    /** {@link StoredPods#comparable}, and without the name when the server generated it. */
    private static ObjectNode comparable(Pod stored, String fixtureName) {
        ObjectNode node = StoredPods.comparable(stored);
        if (fixtureName == null || fixtureName.isEmpty()) {
            ((ObjectNode) node.get("metadata")).remove("name");
        }
        return node;
    }
}
