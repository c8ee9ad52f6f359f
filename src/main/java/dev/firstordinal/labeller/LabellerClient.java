package dev.firstordinal.labeller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.time.Duration;

/**
 * The fabric8 client for {@code label-self}: configured the usual way (in-cluster ServiceAccount,
 * kubeconfig, {@code KUBERNETES_MASTER}), with the client's own retries off, since
 * {@link Retrier} owns the retry policy and its deadline, and with connect and request timeouts no
 * longer than the labeller's whole timeout.
 */
final class LabellerClient {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private LabellerClient() {
    }

    /** A client for the cluster this process finds itself in. */
    static KubernetesClient create(Duration timeout) {
        return create(new ConfigBuilder().build(), timeout);
    }

    /** A client for the cluster {@code base} points at, with label-self's retry and timeout settings. */
    static KubernetesClient create(Config base, Duration timeout) {
        Config config = new ConfigBuilder(base)
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(millis(CONNECT_TIMEOUT, timeout))
                .withRequestTimeout(millis(REQUEST_TIMEOUT, timeout))
                .build();
        // The JDK's HTTP client: a one-shot init container need not start Vert.x and Netty (less time and memory to
        // patched, bench/label-self.sh). Named explicitly: the ServiceLoader would pick Quarkus's factory, which first
        // probes for a CDI container.
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor(ResponseBound.NAME,
                        new ResponseBound(ResponseBound.MAX_BYTES)))
                .build();
    }

    private static int millis(Duration limit, Duration timeout) {
        return (int) Math.max(1, Math.min(limit.toMillis(), timeout.toMillis()));
    }
}
