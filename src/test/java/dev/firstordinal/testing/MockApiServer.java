package dev.firstordinal.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * A fabric8 mock API server in CRUD mode on loopback for {@code @QuarkusTest}s: the application's
 * Kubernetes client talks to it. The init arg {@code seed} names a {@code Consumer<KubernetesClient>}
 * that creates the objects the application must find when it starts.
 */
public class MockApiServer implements QuarkusTestResourceLifecycleManager {

    private static KubernetesMockServer server;
    private static KubernetesClient client;
    private String seed;

    /** The running mock server, for expectations (slow or failing answers). */
    public static KubernetesMockServer server() {
        return server;
    }

    /** A client of the running mock server, for tests to read and change the cluster. */
    public static KubernetesClient client() {
        return client;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        seed = initArgs.get("seed");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, String> start() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>(); // expect() first, then CRUD
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        if (seed != null) {
            try {
                ((Consumer<KubernetesClient>) Class.forName(seed).getDeclaredConstructor().newInstance()).accept(client);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot seed the mock API server with " + seed, e);
            }
        }
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url("/"),
                "quarkus.kubernetes-client.namespace", "default",
                "quarkus.kubernetes-client.trust-certs", "true");
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
