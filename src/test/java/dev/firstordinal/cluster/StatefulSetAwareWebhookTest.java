package dev.firstordinal.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.MockApiServer;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.TestTls;
import dev.firstordinal.testing.WebhookHttp;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running webhook with its StatefulSet cache on, against a mock API server: namespace
 * {@code shop} is watched (answers come from the cache, on the event loop), namespace
 * {@code elsewhere} is not (answers need a GET, made on a worker thread).
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
@TestProfile(StatefulSetAwareWebhookTest.CacheOn.class)
class StatefulSetAwareWebhookTest {

    static final StatefulSet SHOP_REDIS = Workloads.redis("shop", "redis", 2, 3);
    static final StatefulSet ELSEWHERE_REDIS = Workloads.redis("elsewhere", "late", 2, 2);

    public static class CacheOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "first-ordinal.statefulset-cache.enabled", "true",
                    "first-ordinal.namespaces", "shop",
                    "first-ordinal.coverage.enabled", "true",
                    "first-ordinal.coverage.interval", "1s",
                    "first-ordinal.coverage.initial-delay", "0s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MockApiServer.class, Map.of("seed", Seed.class.getName())));
        }
    }

    public static class Seed implements Consumer<KubernetesClient> {
        @Override
        public void accept(KubernetesClient client) {
            Workloads.createNamespace(client, "shop", Map.of("first-ordinal.dev/backup", "enabled"));
            Workloads.createNamespace(client, "elsewhere", Map.of("first-ordinal.dev/backup", "enabled"));
            client.resource(SHOP_REDIS).create();
            client.resource(ELSEWHERE_REDIS).create();
            Shards.coveredUncoveredOvercovered(client, "shop");
        }
    }

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Inject
    StartOrdinalLookup starts;

    private WebhookHttp webhook;

    @BeforeEach
    void awaitCacheSync() throws Exception {
        webhook = new WebhookHttp(mutate);
        assertThat(starts).isInstanceOf(StatefulSetCache.class);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!((StatefulSetCache) starts).hasSynced() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(((StatefulSetCache) starts).hasSynced()).as("cache synced").isTrue();
    }

    @Test
    void marksOrdinalThreeOfASetThatStartsAtThree() throws Exception {
        JsonNode three = webhook.create(Workloads.pod(SHOP_REDIS, 3), "shop");
        JsonNode four = webhook.create(Workloads.pod(SHOP_REDIS, 4), "shop");

        assertThat(three.at("/response/allowed").asBoolean()).isTrue();
        assertThat(three.at("/response/patchType").asText()).isEqualTo("JSONPatch");
        assertThat(Fixtures.decodePatch(three).toString()).contains("velero-backup-schedule");
        assertThat(three.at("/response").has("warnings")).isFalse();
        assertThat(four.at("/response/allowed").asBoolean()).isTrue();
        assertThat(four.at("/response").has("patch")).isFalse();
    }

    @Test
    void readsAStatefulSetThatIsNotCachedOffTheEventLoop() throws Exception {
        double fetchedBefore = metric("first_ordinal_statefulset_cache_misses_total{result=\"fetched\"}");

        JsonNode two = webhook.create(Workloads.pod(ELSEWHERE_REDIS, 2), "elsewhere");
        JsonNode zero = webhook.create(Workloads.pod(ELSEWHERE_REDIS, 0), "elsewhere");

        assertThat(two.at("/response/patchType").asText()).isEqualTo("JSONPatch");
        assertThat(two.at("/response").has("warnings")).isFalse();
        assertThat(zero.at("/response").has("patch")).as("ordinal 0 of a set starting at 2").isFalse();
        assertThat(metric("first_ordinal_statefulset_cache_misses_total{result=\"fetched\"}") - fetchedBefore).isEqualTo(2.0);
    }

    @Test
    void fallsBackToOrdinalZeroWithAWarningWhenTheStatefulSetCannotBeRead() throws Exception {
        StatefulSet ghost = Workloads.redis("elsewhere", "ghost", 1, null);

        JsonNode response = webhook.create(Workloads.pod(ghost, 0), "elsewhere");

        assertThat(response.at("/response/allowed").asBoolean()).isTrue();
        assertThat(response.at("/response/patchType").asText()).isEqualTo("JSONPatch");
        assertThat(response.at("/response/warnings/0").asText())
                .contains("StatefulSet elsewhere/ghost").contains("not found").contains("assuming its first ordinal is 0");
        assertThat(metric("first_ordinal_statefulset_cache_misses_total{result=\"not_found\"}")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void keepsAnsweringFromTheCacheWhileAnotherRequestWaitsForTheApiServer() throws Exception {
        StatefulSet slow = Workloads.redis("elsewhere", "slow", 1, null);
        MockApiServer.server().expect().get().delay(300, TimeUnit.MILLISECONDS)
                .withPath("/apis/apps/v1/namespaces/elsewhere/statefulsets/slow").andReturn(200, slow).always();
        webhook.create(Workloads.pod(SHOP_REDIS, 3), "shop"); // connection and TLS set up before timing
        webhook.create(Workloads.pod(ELSEWHERE_REDIS, 2), "elsewhere"); // the GET path warmed up too

        long begin = System.nanoTime();
        CompletableFuture<Long> missDone = webhook.createAsync(Workloads.pod(slow, 0), "elsewhere")
                .thenApply(r -> {
                    assertThat(r.at("/response").has("warnings")).as("read, not guessed: " + r.at("/response/warnings")).isFalse();
                    return System.nanoTime();
                });
        Thread.sleep(50);
        JsonNode hit = webhook.create(Workloads.pod(SHOP_REDIS, 3), "shop");
        long hitDone = System.nanoTime();
        long missDoneAt = missDone.get(10, TimeUnit.SECONDS);

        assertThat(hit.at("/response/patchType").asText()).isEqualTo("JSONPatch");
        assertThat(TimeUnit.NANOSECONDS.toMillis(missDoneAt - begin)).as("the miss waited for the slow API server").isGreaterThanOrEqualTo(300);
        assertThat(hitDone).as("the cached answer, asked later on the same connection, came first").isLessThan(missDoneAt);
    }

    @Test
    void exportsCoverageOfTheAuditedNamespacesAsGauges() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metric("first_ordinal_coverage_last_success_timestamp_seconds") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(metric("first_ordinal_statefulsets{namespace=\"shop\",state=\"covered\"}")).isEqualTo(1.0);
        assertThat(metric("first_ordinal_statefulsets{namespace=\"shop\",state=\"uncovered\"}"))
                .as("cache-b, and redis whose first ordinal 3 has no pod").isEqualTo(2.0);
        assertThat(metric("first_ordinal_statefulsets{namespace=\"shop\",state=\"overcovered\"}")).isEqualTo(1.0);
        assertThat(metricsText()).contains("first_ordinal_statefulsets{namespace=\"shop\",state=\"skipped\"} 0.0")
                .doesNotContain("namespace=\"elsewhere\",state=");
        assertThat(metric("first_ordinal_coverage_failures_total")).isZero();
    }

    private String metricsText() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.toURI()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A sample's value from the Prometheus text on the management port; 0 when absent. */
    private double metric(String sample) throws Exception {
        return metricsText().lines().filter(l -> l.startsWith(sample + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(sample.length() + 1).trim())).orElse(0.0);
    }
}
