package dev.firstordinal.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/**
 * The server's client for its watches and background reads (the StatefulSet cache, the repairer, coverage): the
 * Quarkus client's configuration over the JDK HTTP client ({@code java.net.http}) rather than Vert.x. The fabric8
 * client of this Quarkus (7.7) parses list pages and watch events on the thread that receives them; on the Quarkus
 * client that is a Vert.x event loop, the one that also answers {@code /mutate}, which a relist of thousands of
 * objects blocked for seconds (issue #31). Here they are parsed on the JDK client's own threads. Built on first use.
 */
@Singleton
public class BackgroundClient {

    private final Instance<KubernetesClient> quarkusClient;
    private KubernetesClient client;

    BackgroundClient(Instance<KubernetesClient> quarkusClient) {
        this.quarkusClient = quarkusClient;
    }

    public synchronized KubernetesClient get() {
        if (client == null) {
            client = new KubernetesClientBuilder().withConfig(quarkusClient.get().getConfiguration())
                    .withHttpClientFactory(new JdkHttpClientFactory()).build();
        }
        return client;
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
