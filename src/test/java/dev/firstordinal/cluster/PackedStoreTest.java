package dev.firstordinal.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The packed store under a real fabric8 informer (mock API server, CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class PackedStoreTest {

    static KubernetesClient client;

    /** What a test store keeps of a pod: its name, namespace, resourceVersion and one label. */
    record Kept(String name, String namespace, String resourceVersion, String app) {
    }

    /** Unpacked copies built on the test's own thread: the informer's watch may still put (and unpack the old copy) on its own. */
    private final AtomicInteger unpacked = new AtomicInteger();
    private final Thread testThread = Thread.currentThread();
    private final PackedStore<Pod, Kept> store = new PackedStore<>(
            pod -> new Kept(pod.getMetadata().getName(), pod.getMetadata().getNamespace(), pod.getMetadata().getResourceVersion(),
                    pod.getMetadata().getLabels().get("app")),
            kept -> {
                if (Thread.currentThread() == testThread) {
                    unpacked.incrementAndGet();
                }
                return pod(kept, kept.app());
            },
            kept -> pod(kept, null));

    /** Every copy the store builds says so, to tell it from an object the informer received. */
    private static final String BUILT = "built-by-the-store";

    private static Pod pod(Kept kept, String app) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(kept.name()).withNamespace(kept.namespace())
                .withResourceVersion(kept.resourceVersion()).addToAnnotations(BUILT, "true").endMetadata();
        return app == null ? pod.build() : pod.editMetadata().addToLabels("app", app).endMetadata().build();
    }

    @Test
    void theInformersListOfTheWholeStoreBuildsNoUnpackedCopy() throws Exception {
        for (int i = 0; i < 5; i++) {
            client.pods().inNamespace("ns").resource(new PodBuilder().withNewMetadata().withName("redis-" + i).addToLabels("app", "redis")
                    .endMetadata().build()).create();
        }
        SharedIndexInformer<Pod> informer = client.pods().inNamespace("ns").runnableInformer(0);
        informer.itemStore(store);
        try {
            informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(store.size()).isEqualTo(5);
            unpacked.set(0);
            // the list fabric8 collects of the whole store at the end of every list and relist (ProcessorStore.syncList):
            // unpacked copies there were a relist's peak
            assertThat(informer.getStore().list()).hasSize(5).allSatisfy(pod -> assertThat(pod.getMetadata().getLabels()).isEmpty());
            assertThat(unpacked).hasValue(0);
            assertThat(informer.getStore().getByKey("ns/redis-0").getMetadata().getLabels()).containsEntry("app", "redis");
        } finally {
            informer.stop();
        }
    }

    @Test
    void theHandlersGetTheFirstListsPodsAsReceivedNotOneUnpackedCopyOfEachAtTheListsEnd() throws Exception {
        for (int i = 0; i < 5; i++) {
            client.pods().inNamespace("first").resource(new PodBuilder().withNewMetadata().withName("redis-" + i).addToLabels("app", "redis")
                    .endMetadata().build()).create();
        }
        List<Pod> added = new CopyOnWriteArrayList<>();
        SharedIndexInformer<Pod> informer = client.pods().inNamespace("first").runnableInformer(0);
        informer.itemStore(store);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                added.add(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
            }
        });
        try {
            informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (added.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            // deferred to the list's end, fabric8 read each one back from the store: an unpacked copy of every pod, queued at once
            assertThat(added).hasSizeGreaterThanOrEqualTo(5)
                    .allSatisfy(pod -> assertThat(pod.getMetadata().getAnnotations()).doesNotContainKey(BUILT));
        } finally {
            informer.stop();
        }
    }

    @Test
    void readersGetTheUnpackedCopiesOneAtATime() {
        Pod pod = new PodBuilder().withNewMetadata().withName("redis-0").withNamespace("ns").withResourceVersion("3")
                .addToLabels("app", "redis").endMetadata().build();
        store.put(store.getKey(pod), pod);

        assertThat(store.get("ns/redis-0").getMetadata().getLabels()).containsEntry("app", "redis");
        assertThat(store.unpacked().toList()).singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getLabels()).containsEntry("app", "redis"));
        assertThat(store.values().toList()).singleElement().satisfies(p -> {
            assertThat(store.getKey(p)).isEqualTo("ns/redis-0");
            assertThat(p.getMetadata().getResourceVersion()).isEqualTo("3");
            assertThat(p.getMetadata().getLabels()).isEmpty();
        });
    }
}
