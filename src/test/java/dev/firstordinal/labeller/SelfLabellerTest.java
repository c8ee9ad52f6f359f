package dev.firstordinal.labeller;

import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.testing.StatefulSetPods;
import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.ApiServerPatch;
import dev.firstordinal.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.zjsonpatch.JsonPatchException;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@EnableKubernetesMockClient(crud = true, https = false)
class SelfLabellerTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final MarkingPolicy POLICY = MarkingPolicy.defaults();
    private static final Map<String, String> OUR_HOOK = POLICY.hook().forContainer("redis");

    private final String ns = "shop-" + NAMESPACES.incrementAndGet();
    private KubernetesClient labellerClient;
    private SelfLabeller labeller;

    @BeforeEach
    void labellerWithItsOwnClient() {
        labellerClient = LabellerClient.create(client.getConfiguration(), Duration.ofSeconds(10));
        labeller = new SelfLabeller(labellerClient, new FirstOrdinalRule(POLICY));
    }

    @AfterEach
    void closeClient() {
        labellerClient.close();
    }

    private void createStatefulSet(StatefulSet set) {
        client.apps().statefulSets().inNamespace(ns).resource(set).create();
    }

    private Pod createPod(Pod pod) {
        return client.pods().inNamespace(ns).resource(pod).create();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    private void redisShard(Integer start, int... ordinals) {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", start));
        for (int ordinal : ordinals) {
            createPod(StatefulSetPods.pod(ns, "redis", ordinal));
        }
    }

    /** Runs one pass and returns it with the requests it made ("GET /api/v1/..."), in order. */
    private Pass pass(String podName) throws InterruptedException {
        takeRequests();
        SelfLabeller.Result result = labeller.labelOnce(ns, podName);
        return new Pass(result, takeRequests());
    }

    private static List<RecordedRequest> takeRequests() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null; ) {
            requests.add(r);
        }
        return requests;
    }

    private record Pass(SelfLabeller.Result result, List<RecordedRequest> requests) {
        List<String> calls() {
            return requests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList();
        }

        RecordedRequest last() {
            return requests.get(requests.size() - 1);
        }
    }

    @Test
    void labelsAndAnnotatesTheFirstOrdinalWithOnePatch() throws Exception {
        redisShard(null, 0, 1, 2);

        Pass pass = pass("redis-0");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.LABELLED);
        assertThat(pass.result().summary()).isEqualTo("pod " + ns + "/redis-0 is the first ordinal (0) of StatefulSet redis: "
                + "added label velero-backup-schedule=redis and 5 hook annotations");
        assertThat(pass.calls()).containsExactly("GET /api/v1/namespaces/" + ns + "/pods/redis-0",
                "GET /apis/apps/v1/namespaces/" + ns + "/statefulsets/redis", "PATCH /api/v1/namespaces/" + ns + "/pods/redis-0");
        assertThat(pass.last().getMethod()).isEqualTo("PATCH");
        assertThat(pass.last().getHeader("Content-Type")).startsWith("application/json-patch+json");
        Pod labelled = pod("redis-0");
        assertThat(labelled.getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis")
                .containsEntry(StatefulSetPods.SELECTOR_KEY, "redis");
        assertThat(labelled.getMetadata().getAnnotations()).isEqualTo(OUR_HOOK);
    }

    @Test
    void refreshesAnOlderReleasesHookOnTheFirstOrdinalInOneGuardedPatch() throws Exception {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", null));
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 0)).editMetadata().addToLabels("velero-backup-schedule", "redis")
                .addToAnnotations(dev.firstordinal.testing.OlderHook.annotationsWith("prometheus.io/scrape", "true")).endMetadata().build());

        Pass pass = pass("redis-0");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.LABELLED);
        assertThat(pass.result().summary()).endsWith(": removed 4 stale hook marks, then added 5 hook annotations");
        assertThat(pass.result().patch().orElseThrow()).startsWith("[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\"");
        Map<String, String> expected = new java.util.LinkedHashMap<>(OUR_HOOK);
        expected.put("prometheus.io/scrape", "true");
        assertThat(pod("redis-0").getMetadata().getAnnotations()).isEqualTo(expected);
    }

    @Test
    void addsToAnnotationsThePodAlreadyHasWithoutTouchingThem() throws Exception {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", null));
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 0))
                .editMetadata().addToAnnotations("prometheus.io/scrape", "true").endMetadata().build());

        pass("redis-0");

        Map<String, String> expected = new LinkedHashMap<>(OUR_HOOK);
        expected.put("prometheus.io/scrape", "true");
        assertThat(pod("redis-0").getMetadata().getAnnotations()).isEqualTo(expected);
    }

    @Test
    void leavesAnUnmarkedOtherOrdinalUntouched() throws Exception {
        redisShard(null, 0, 1, 2);
        String resourceVersion = pod("redis-1").getMetadata().getResourceVersion();

        Pass pass = pass("redis-1");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.NOTHING_TO_CLEAN);
        assertThat(pass.calls()).as("no PATCH").hasSize(2).noneMatch(call -> call.startsWith("PATCH"));
        assertThat(pod("redis-1").getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(pod("redis-1").getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
    }

    @Test
    void removesTheBackupLabelAndOurHookFromAnotherOrdinal() throws Exception {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", null));
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 2))
                .editMetadata()
                .addToLabels("velero-backup-schedule", "redis")
                .addToLabels("tier", "cache")
                .addToAnnotations(OUR_HOOK)
                .addToAnnotations("prometheus.io/scrape", "true")
                .endMetadata().build());

        Pass pass = pass("redis-2");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.CLEANED);
        assertThat(pass.result().summary()).endsWith(": removed velero-backup-schedule, " + String.join(", ", HookAnnotations.OWN_KEYS));
        Pod cleaned = pod("redis-2");
        assertThat(cleaned.getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule").containsEntry("tier", "cache");
        assertThat(cleaned.getMetadata().getAnnotations()).isEqualTo(Map.of("prometheus.io/scrape", "true"));
    }

    @Test
    void keepsABackupLabelTheStatefulSetSelectsOn() throws Exception {
        createStatefulSet(new StatefulSetBuilder(StatefulSetPods.statefulSet(ns, "redis", null))
                .editSpec().editSelector().addToMatchLabels("velero-backup-schedule", "redis").endSelector().endSpec().build());
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 1))
                .editMetadata().addToLabels("velero-backup-schedule", "redis").addToAnnotations(OUR_HOOK).endMetadata().build());

        Pass pass = pass("redis-1");

        Pod pod = pod("redis-1");
        assertThat(pod.getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(pod.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(pass.result().warnings()).containsExactly("label velero-backup-schedule=redis kept on pod " + ns
                + "/redis-1: the StatefulSet's selector uses it, removing it would orphan the pod");
    }

    @Test
    void keepsABackupLabelAMatchExpressionSelectsOn() throws Exception {
        createStatefulSet(new StatefulSetBuilder(StatefulSetPods.statefulSet(ns, "redis", null))
                .editSpec().editSelector().addNewMatchExpression()
                .withKey("velero-backup-schedule").withOperator("Exists").endMatchExpression().endSelector().endSpec().build());
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 1))
                .editMetadata().addToLabels("velero-backup-schedule", "redis").endMetadata().build());

        Pass pass = pass("redis-1");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.NOTHING_TO_CLEAN);
        assertThat(pod("redis-1").getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
    }

    @Test
    void keepsAUsersOwnHookOnAnotherOrdinal() throws Exception {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", null));
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 1))
                .editMetadata().addToAnnotations(HookAnnotations.COMMAND, "[\"redis-cli\",\"SAVE\"]").endMetadata().build());

        Pass pass = pass("redis-1");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.NOTHING_TO_CLEAN);
        assertThat(pod("redis-1").getMetadata().getAnnotations()).containsEntry(HookAnnotations.COMMAND, "[\"redis-cli\",\"SAVE\"]");
    }

    @Test
    void aSecondRunChangesNothing() throws Exception {
        redisShard(null, 0, 1);
        pass("redis-0");
        Pod afterFirst = pod("redis-0");

        Pass second = pass("redis-0");

        assertThat(second.result().action()).isEqualTo(SelfLabeller.Action.ALREADY_LABELLED);
        assertThat(second.calls()).as("no PATCH").hasSize(2).noneMatch(call -> call.startsWith("PATCH"));
        assertThat(pod("redis-0")).isEqualTo(afterFirst);
    }

    @Test
    void honoursTheStatefulSetsOrdinalsStart() throws Exception {
        redisShard(3, 3, 4);

        assertThat(pass("redis-3").result().action()).isEqualTo(SelfLabeller.Action.LABELLED);
        assertThat(pass("redis-4").result().action()).isEqualTo(SelfLabeller.Action.NOTHING_TO_CLEAN);

        assertThat(pod("redis-3").getMetadata().getLabels()).containsEntry("velero-backup-schedule", "redis");
        assertThat(pod("redis-4").getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
    }

    @Test
    void cleansOrdinalZeroWhenTheSetStartsElsewhere() throws Exception {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", 1));
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 0))
                .editMetadata().addToLabels("velero-backup-schedule", "redis").endMetadata().build());

        Pass pass = pass("redis-0");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.CLEANED);
        assertThat(pass.result().summary()).contains("ordinal 0 is not the first ordinal 1");
        assertThat(pod("redis-0").getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
    }

    @Test
    void leavesAPodWithoutAStatefulSetControllerAlone() throws Exception {
        createPod(new PodBuilder().withNewMetadata().withName("redis-0").withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.2").endContainer().endSpec().build());

        Pass pass = pass("redis-0");

        assertThat(pass.result().action()).isEqualTo(SelfLabeller.Action.NOT_OURS);
        assertThat(pass.result().summary()).isEqualTo("pod " + ns + "/redis-0 left alone: pod is not controlled by a StatefulSet");
        assertThat(pass.calls()).as("only the pod is read").containsExactly("GET /api/v1/namespaces/" + ns + "/pods/redis-0");
        assertThat(pod("redis-0").getMetadata().getLabels()).isNullOrEmpty();
    }

    @Test
    void aMissingPodIsNotFoundAndNamesTheDownwardApi() {
        assertThatThrownBy(() -> labeller.labelOnce(ns, "redis-0"))
                .isInstanceOfSatisfying(ApiFailure.class, f -> assertThat(f.kind()).isEqualTo(ApiFailure.Kind.NOT_FOUND))
                .hasMessage("pod " + ns + "/redis-0 not found: POD_NAME and POD_NAMESPACE must name this pod "
                        + "(env from the Downward API: fieldRef metadata.name and metadata.namespace)");
    }

    @Test
    void aMissingStatefulSetIsNotFound() {
        createPod(StatefulSetPods.pod(ns, "redis", 0));

        assertThatThrownBy(() -> labeller.labelOnce(ns, "redis-0"))
                .isInstanceOfSatisfying(ApiFailure.class, f -> assertThat(f.kind()).isEqualTo(ApiFailure.Kind.NOT_FOUND))
                .hasMessageContaining("StatefulSet " + ns + "/redis, the controller of pod " + ns + "/redis-0, not found");
    }

    @Test
    void guardsAddingAWholeAnnotationsMapWithTheResourceVersionItRead() throws Exception {
        redisShard(null, 0);
        Pod asRead = pod("redis-0");

        Pass pass = pass("redis-0");

        JsonNode patch = Fixtures.tree(pass.result().patch().orElseThrow().getBytes(StandardCharsets.UTF_8));
        assertThat(patch.get(0)).isEqualTo(Fixtures.JSON.createObjectNode().put("op", "test")
                .put("path", "/metadata/resourceVersion").put("value", asRead.getMetadata().getResourceVersion()));
        assertThat(patch.get(patch.size() - 1).get("path").asText()).isEqualTo("/metadata/annotations");
        // What the API server would do had someone added an annotation between our read and our patch:
        Pod changedMeanwhile = new PodBuilder(asRead).editMetadata().withResourceVersion("999")
                .addToAnnotations("added-meanwhile", "yes").endMetadata().build();
        assertThatThrownBy(() -> ApiServerPatch.apply(patch, Fixtures.JSON.valueToTree(changedMeanwhile)))
                .isInstanceOf(JsonPatchException.class);
        assertThat(ApiServerPatch.apply(patch, Fixtures.JSON.valueToTree(asRead)).at("/metadata/annotations"))
                .isEqualTo(Fixtures.JSON.valueToTree(OUR_HOOK));
    }

    @Test
    void addsSingleKeysWithoutAGuardWhenTheMapsExist() throws Exception {
        createStatefulSet(StatefulSetPods.statefulSet(ns, "redis", null));
        createPod(new PodBuilder(StatefulSetPods.pod(ns, "redis", 0))
                .editMetadata().addToAnnotations("prometheus.io/scrape", "true").endMetadata().build());

        Pass pass = pass("redis-0");

        JsonNode patch = Fixtures.tree(pass.result().patch().orElseThrow().getBytes(StandardCharsets.UTF_8));
        assertThat(patch.findValuesAsText("op")).containsOnly("add");
        assertThat(patch.findValuesAsText("path")).contains("/metadata/labels/velero-backup-schedule",
                "/metadata/annotations/pre.hook.backup.velero.io~1command");
    }

    @Test
    void aFailedPatchTestIsAConflict() {
        redisShard(null, 0);
        server.expect().patch().withPath("/api/v1/namespaces/" + ns + "/pods/redis-0")
                .andReturn(422, new StatusBuilder().withCode(422).withStatus("Failure")
                        .withMessage("testing value /metadata/resourceVersion failed: test failed").build())
                .once();

        assertThatThrownBy(() -> labeller.labelOnce(ns, "redis-0"))
                .isInstanceOfSatisfying(ApiFailure.class, f -> assertThat(f.kind()).isEqualTo(ApiFailure.Kind.CONFLICT));
        assertThat(pod("redis-0").getMetadata().getLabels()).doesNotContainKey("velero-backup-schedule");
    }
}
