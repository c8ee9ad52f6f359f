package dev.firstordinal.labeller;

import dev.firstordinal.testing.StatefulSetPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A local mock Kubernetes API (fabric8 CRUD mock, plain HTTP on loopback) for {@code bench/label-self.sh}.
 * Seeds {@code count} StatefulSets {@code bench-<i>} in namespace {@code bench}, each with its
 * first-ordinal pod {@code bench-<i>-0} unlabelled, prints the server URL on one line, then serves
 * until process {@code ownerPid} (the bench script) ends or {@code maxSeconds} pass. Each PATCH it answers is printed as
 * {@code PATCHED <pod> <epoch millis>}, so the bench can time JVM start to pod patched from outside.
 *
 * <p>Usage: {@code LabelSelfBenchServer <count> <maxSeconds> [ownerPid]}
 */
public final class LabelSelfBenchServer {

    public static final String NAMESPACE = "bench";

    private LabelSelfBenchServer() {
    }

    /** Prints the wall-clock time at which each pod PATCH was answered. */
    static final class PatchClock extends Dispatcher {
        private final Dispatcher crud;

        PatchClock(Dispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            MockResponse response = crud.dispatch(request);
            if ("PATCH".equals(request.getMethod())) {
                String path = request.getPath().replaceFirst("\\?.*$", "");
                System.out.println("PATCHED " + path.substring(path.lastIndexOf('/') + 1) + " " + System.currentTimeMillis());
                System.out.flush();
            }
            return response;
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int count = Math.min(200, Integer.parseInt(args.length > 0 ? args[0] : "10"));
        long maxSeconds = Math.min(1800, Long.parseLong(args.length > 1 ? args[1] : "600"));
        ProcessHandle owner = args.length > 2 ? ProcessHandle.of(Long.parseLong(args[2])).orElse(null) : null;
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new PatchClock(new KubernetesMixedDispatcher(expectations)), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            for (int i = 1; i <= count; i++) {
                String set = "bench-" + i;
                client.apps().statefulSets().inNamespace(NAMESPACE).resource(StatefulSetPods.statefulSet(NAMESPACE, set, null)).create();
                client.pods().inNamespace(NAMESPACE).resource(StatefulSetPods.pod(NAMESPACE, set, 0)).create();
            }
            System.out.println(server.url("/").replaceAll("/$", ""));
            System.out.flush();
            CompletableFuture<?> ownerGone = owner == null ? new CompletableFuture<>() : owner.onExit();
            try {
                ownerGone.get(maxSeconds, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // serve no longer than maxSeconds
            }
        } finally {
            server.destroy();
        }
    }
}
