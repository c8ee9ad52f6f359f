package dev.firstordinal.testing;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fabric8 mock API server (CRUD, plain HTTP on loopback) for {@code @QuarkusTest}s, holding the
 * webhook's MutatingWebhookConfiguration, as a cluster would after {@code kubectl apply}.
 */
public class MockApiServer implements QuarkusTestResourceLifecycleManager {

    public static final String NAMESPACE = "first-ordinal";
    public static final String WEBHOOK = "first-ordinal";
    private static KubernetesMockServer server;
    private static NamespacedKubernetesClient client;

    /** A client of the running mock server, for the test to look and poke. */
    public static NamespacedKubernetesClient client() {
        return client;
    }

    @Override
    public Map<String, String> start() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of()), false);
        server.init();
        client = server.createClient();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(WEBHOOK).endMetadata()
                .addNewWebhook().withName("first-ordinal.dev")
                .withNewClientConfig().withNewService().withName("first-ordinal").withNamespace(NAMESPACE).withPath("/mutate")
                .withPort(443).endService().endClientConfig()
                .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Ignore")
                .endWebhook().build()).create();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", client.getMasterUrl().toString(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", NAMESPACE);
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
    }
}
