package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.Shards;
import dev.firstordinal.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code audit} against fabric8's mock API server in CRUD mode, emptied before each test. */
@EnableKubernetesMockClient(crud = true)
class AuditCommandTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeEach
    void emptyTheCluster() {
        server.reset();
    }

    @Test
    void printsOneRowPerStatefulSetProblemsAndASummaryAndExitsOne() {
        Workloads.createNamespace(client, "shop", Shards.OPTED_IN);
        Shards.coveredUncoveredOvercovered(client, "shop");

        Run run = audit("--namespace", "shop");
        System.out.println("---- audit --namespace shop ----\n" + run.out + "---- exit " + run.code + " ----");

        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).isEmpty();
        List<String> lines = run.out.lines().toList();
        assertThat(lines.get(0)).matches("NAMESPACE +STATEFULSET +FIRST POD +LABEL +HOOK +CONTAINER +ALSO LABELLED +PVCS +STATE");
        assertThat(lines.get(1)).matches("shop +cache-a +cache-a-0 +redis +yes +redis +- +data-cache-a-0 +covered");
        assertThat(lines.get(2)).matches("shop +cache-b +cache-b-0 +none +no +- +- +data-cache-b-0 +uncovered");
        assertThat(lines.get(3)).matches("shop +cache-c +cache-c-0 +redis +yes +redis +cache-c-1 +data-cache-c-0 +overcovered");
        assertThat(run.out).contains("shop/cache-b: cache-b-0 lacks the backup label velero-backup-schedule")
                .contains("shop/cache-b: cache-b-0 has no backup hook (pre.hook.backup.velero.io/command)")
                .contains("shop/cache-c: cache-c-1 also carries velero-backup-schedule=redis");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("3 StatefulSets in namespace shop: 1 covered, 1 uncovered, 1 overcovered");
    }

    @Test
    void printsTheSameFactsAsJson() {
        Workloads.createNamespace(client, "shop-json", Shards.OPTED_IN);
        Shards.coveredUncoveredOvercovered(client, "shop-json");

        Run run = audit("-n", "shop-json", "-o", "json");

        assertThat(run.code).isEqualTo(1);
        JsonNode json = Fixtures.tree(run.out.getBytes(StandardCharsets.UTF_8));
        assertThat(json.at("/namespaces/0").asText()).isEqualTo("shop-json");
        assertThat(json.at("/summary/statefulSets").asInt()).isEqualTo(3);
        assertThat(json.at("/summary/covered").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/uncovered").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/overcovered").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/skipped").asInt()).isZero();
        JsonNode covered = json.at("/statefulSets/0");
        assertThat(covered.get("statefulSet").asText()).isEqualTo("cache-a");
        assertThat(covered.get("state").asText()).isEqualTo("covered");
        assertThat(covered.get("firstPod").asText()).isEqualTo("cache-a-0");
        assertThat(covered.get("backupLabel").asText()).isEqualTo("redis");
        assertThat(covered.get("hook").asBoolean()).isTrue();
        assertThat(covered.get("hookContainer").asText()).isEqualTo("redis");
        assertThat(covered.get("hookContainerFound").asBoolean()).isTrue();
        assertThat(covered.at("/claims/0/name").asText()).isEqualTo("data-cache-a-0");
        assertThat(covered.at("/claims/0/found").asBoolean()).isTrue();
        JsonNode uncovered = json.at("/statefulSets/1");
        assertThat(uncovered.get("state").asText()).isEqualTo("uncovered");
        assertThat(uncovered.get("backupLabel").isNull()).isTrue();
        assertThat(uncovered.get("problems")).hasSize(2);
        JsonNode overcovered = json.at("/statefulSets/2");
        assertThat(overcovered.get("state").asText()).isEqualTo("overcovered");
        assertThat(overcovered.at("/alsoLabelled/0").asText()).isEqualTo("cache-c-1");
    }

    /** Issue 30 #9: -o yaml, as kubectl has it wherever -o json exists. */
    @Test
    void printsTheSameFactsAsYaml() throws Exception {
        Workloads.createNamespace(client, "shop", Shards.OPTED_IN);
        Shards.coveredUncoveredOvercovered(client, "shop");

        Run json = audit("-n", "shop", "-o", "json");
        Run yaml = audit("-n", "shop", "-o", "yaml");

        assertThat(yaml.code).isEqualTo(json.code).isEqualTo(1);
        assertThat(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml.out)).isEqualTo(Fixtures.JSON.readTree(json.out));
    }

    @Test
    void exitsZeroWhenEveryStatefulSetIsCovered() {
        Workloads.createNamespace(client, "all-good", Shards.OPTED_IN);
        StatefulSet set = Workloads.redis("all-good", "redis", 3, null);
        Shards.create(client, set, Shards.admitted(set, 0), Shards.admitted(set, 1), Shards.admitted(set, 2));

        Run run = audit("-n", "all-good");

        assertThat(run.code).isZero();
        assertThat(run.out).endsWith("1 StatefulSet in namespace all-good: 1 covered, 0 uncovered, 0 overcovered\n");
    }

    @Test
    void auditsEveryOptedInNamespaceAndNoOtherByDefault() {
        Workloads.createNamespace(client, "team-a", Shards.OPTED_IN);
        Workloads.createNamespace(client, "team-b", Map.of("first-ordinal.dev/backup", "disabled"));
        Workloads.createNamespace(client, "team-c", Map.of("custom/backup", "yes"));
        StatefulSet a = Workloads.redis("team-a", "redis", 1, null);
        StatefulSet b = Workloads.redis("team-b", "redis", 1, null);
        StatefulSet c = Workloads.redis("team-c", "redis", 1, null);
        Shards.create(client, a, Shards.admitted(a, 0));
        Shards.create(client, b, Workloads.pod(b, 0));
        Shards.create(client, c, Workloads.pod(c, 0));

        Run byDefault = audit("-o", "json");
        Run optedIn = audit("--all-namespaces", "-o", "json");
        Run custom = audit("-A", "--namespace-label", "custom/backup=yes", "-o", "json");

        JsonNode json = Fixtures.tree(optedIn.out.getBytes(StandardCharsets.UTF_8));
        assertThat(json.get("namespaces").toString()).isEqualTo("[\"team-a\"]");
        assertThat(byDefault.out).isEqualTo(optedIn.out);
        assertThat(byDefault.code).isZero();
        assertThat(Fixtures.tree(custom.out.getBytes(StandardCharsets.UTF_8)).get("namespaces").toString()).isEqualTo("[\"team-c\"]");
        assertThat(custom.code).as("team-c's pod was created before the webhook").isEqualTo(1);
    }

    @Test
    void reportsAHookContainerThatDoesNotExist() {
        StatefulSet set = Workloads.redis("renamed", "redis", 1, null);
        Pod pod = Shards.admitted(set, 0);
        pod = new PodBuilder(pod).editMetadata().addToAnnotations("pre.hook.backup.velero.io/container", "redis-server").endMetadata().build();
        Shards.create(client, set, pod);

        Run run = audit("-n", "renamed");

        assertThat(run.code).isEqualTo(1);
        assertThat(run.out).contains("redis-server (missing)")
                .contains("redis-0: hook container \"redis-server\" does not exist (Velero fails the backup hook with no such container)")
                .contains("uncovered");
    }

    @Test
    void reportsAMissingFirstOrdinalPodOfASetStartingAtThree() {
        StatefulSet set = Workloads.redis("late-start", "redis", 2, 3);
        Shards.create(client, set, Shards.admitted(set, 4));

        Run run = audit("-n", "late-start", "-o", "json");

        JsonNode shard = Fixtures.tree(run.out.getBytes(StandardCharsets.UTF_8)).at("/statefulSets/0");
        assertThat(run.code).isEqualTo(1);
        assertThat(shard.get("startOrdinal").asInt()).isEqualTo(3);
        assertThat(shard.get("firstPod").asText()).isEqualTo("redis-3");
        assertThat(shard.get("firstPodFound").asBoolean()).isFalse();
        assertThat(shard.at("/claims/0").toString()).isEqualTo("{\"name\":\"data-redis-3\",\"found\":false}");
        assertThat(shard.at("/problems/0").asText()).isEqualTo("first-ordinal pod redis-3 does not exist");
        assertThat(shard.get("alsoLabelled")).isEmpty();
    }

    @Test
    void treatsASetThatOptsOutAsSkipped() {
        Workloads.createNamespace(client, "opted-out", Shards.OPTED_IN);
        StatefulSet set = Workloads.redis("opted-out", "memcached", 2, null);
        set.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("first-ordinal.dev/skip", "true"));
        Shards.create(client, set, Workloads.pod(set, 0), Workloads.pod(set, 1));

        Run run = audit("-n", "opted-out");

        assertThat(run.code).isZero();
        assertThat(run.out).contains("skipped").endsWith("0 covered, 0 uncovered, 0 overcovered, 1 skipped\n");
    }

    /** Issue 30 #1: Bitnami's replication layout has one shard in two sets; the replica set is skipped, saying why. */
    @Test
    void treatsBitnamisReplicaSetAsSkippedAndSaysWhy() {
        Workloads.createNamespace(client, "shop", Shards.OPTED_IN);
        StatefulSet master = Workloads.redis("shop", "cache-master", 1, null);
        StatefulSet replicas = Workloads.redis("shop", "cache-replicas", 2, null);
        master.getSpec().getTemplate().getMetadata().getLabels().put("app.kubernetes.io/component", "master");
        replicas.getSpec().getTemplate().getMetadata().getLabels().put("app.kubernetes.io/component", "replica");
        Shards.create(client, master, Shards.admitted(master, 0));
        Shards.create(client, replicas, Workloads.pod(replicas, 0), Workloads.pod(replicas, 1));

        Run run = audit("-n", "shop");

        assertThat(run.code).isZero();
        assertThat(run.out).containsPattern("shop +cache-master +cache-master-0 +redis +yes .* covered\n")
                .containsPattern("shop +cache-replicas +cache-replicas-0 +none +no .* skipped\n")
                .contains("Left alone:\n  shop/cache-replicas: replica tier (pod label app.kubernetes.io/component=replica): "
                        + "the shard is backed up through its master set")
                .endsWith("2 StatefulSets in namespace shop: 1 covered, 0 uncovered, 0 overcovered, 1 skipped\n");
    }

    /** Issue 30 #7: a mistyped namespace printed "0 StatefulSets" and exited 0, so a CI gate with a typo stayed green. */
    @Test
    void aNamespaceThatDoesNotExistIsAnErrorNamingIt() {
        Workloads.createNamespace(client, "shop", Shards.OPTED_IN);

        Run run = audit("-n", "ghost,shop");

        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).isEqualTo("first-ordinal audit: namespace ghost does not exist\n");
    }

    @Test
    void aNamespaceThatHasNotOptedInIsFlagged() {
        Workloads.createNamespace(client, "plain", Map.of());
        Shards.create(client, Workloads.redis("plain", "cache", 1, null));

        Run run = audit("-n", "plain");

        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).isEqualTo("first-ordinal audit: namespace plain has not opted in (no label first-ordinal.dev/backup=enabled):"
                + " the webhook marks no pod there\n");
        assertThat(run.out).contains("cache");
    }

    /** Issue 30 #6: --kubeconfig and --context, as every kubectl plugin takes them. */
    @Test
    void takesKubeconfigAndContextAndRefusesAContextTheFileLacks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Workloads.createNamespace(client, "shop", Shards.OPTED_IN);
        java.nio.file.Path kubeconfig = kubeconfig(dir, client.getMasterUrl().toString(), "mock");

        Run good = run(new AuditCommand(), "--kubeconfig", kubeconfig.toString(), "--context", "mock", "-n", "shop");
        Run unknown = run(new AuditCommand(), "--kubeconfig", kubeconfig.toString(), "--context", "nope", "-n", "shop");
        Run missing = run(new AuditCommand(), "--kubeconfig", dir.resolve("absent").toString(), "-n", "shop");

        assertThat(good.code).as(good.err).isZero();
        assertThat(good.out).endsWith("0 StatefulSets in namespace shop: 0 covered, 0 uncovered, 0 overcovered\n");
        assertThat(unknown.code).isEqualTo(AuditCommand.CLUSTER_ERROR);
        assertThat(unknown.err).isEqualTo("first-ordinal audit: context \"nope\" is not in the kubeconfig\n");
        assertThat(missing.code).isEqualTo(AuditCommand.CLUSTER_ERROR);
        assertThat(missing.err).isEqualTo("first-ordinal audit: --kubeconfig " + dir.resolve("absent") + ": no such file\n");
    }

    /** Issue 30 #6: with nothing listening the client retried for about 20 s, then printed its own operation text. */
    @Test
    void anUnreachableClusterFailsFastWithOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path kubeconfig = kubeconfig(dir, "https://127.0.0.1:1", "dead");
        long started = System.nanoTime();

        Run run = run(new AuditCommand(), "--kubeconfig", kubeconfig.toString());

        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("no retries").isLessThan(java.time.Duration.ofSeconds(5));
        assertThat(run.code).isEqualTo(AuditCommand.CLUSTER_ERROR);
        assertThat(run.err).startsWith("first-ordinal audit: cannot read the cluster at https://127.0.0.1:1/: ConnectException")
                .doesNotContain("Operation:").hasLineCount(1);
    }

    private static java.nio.file.Path kubeconfig(java.nio.file.Path dir, String server, String context) throws java.io.IOException {
        return java.nio.file.Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: %s, context: {cluster: c, user: u}}]
                current-context: %s
                """.formatted(server, context, context));
    }

    @Test
    void saysSoWhenNoNamespaceIsOptedIn() {
        Run run = audit();

        assertThat(run.code).isZero();
        assertThat(run.err).isEqualTo("first-ordinal audit: no namespace has the label first-ordinal.dev/backup=enabled; "
                + "label the namespaces to back up, or set --namespace-label\n");
        assertThat(run.out).isEqualTo("0 StatefulSets in 0 namespaces: 0 covered, 0 uncovered, 0 overcovered\n");
    }

    @Test
    void exitsThreeWithOneLineWhenTheClusterCannotBeRead() {
        Supplier<KubernetesClient> unreachable = () -> new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build();

        Run run = run(new AuditCommand(unreachable, null, null), "-n", "any");

        assertThat(run.code).isEqualTo(AuditCommand.CLUSTER_ERROR);
        assertThat(run.out).isEmpty();
        assertThat(run.err).startsWith("first-ordinal audit: cannot read the cluster at http://127.0.0.1:1/: ")
                .contains("ConnectException").hasLineCount(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--dry-run", "-o xml", "-n a -A", "-n Bad_NS", "--frobnicate", "extra", "-n", "--label-key bad/key/x", "--namespace-label nolabel"})
    void rejectsBadArgumentsWithOneLineAndAHintAndExitTwo(String arguments) {
        Run run = audit(arguments.split(" "));

        assertThat(run.code).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).startsWith("first-ordinal audit: ").hasLineCount(2);
        assertThat(run.err.lines().toList().get(1)).isEqualTo("Try 'first-ordinal audit --help' for the options.");
    }

    @Test
    void documentsItsOptionsInHelp() {
        Run run = audit("--help");

        assertThat(run.code).isZero();
        assertThat(run.out).contains("--all-namespaces").contains("--fix").contains("--dry-run").contains("-o, --output")
                .contains("FIRST_ORDINAL_NAMESPACE_LABEL").contains("Exit codes");
    }

    private Run audit(String... args) {
        return run(new AuditCommand(server::createClient, null, null), args);
    }

    static Run run(AuditCommand prototype, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AuditCommand command = prototype.withStreams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = command.run(List.of(args));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Run(int code, String out, String err) {
    }
}
