package dev.firstordinal.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Workloads as users write them, valid for a real API server, and waits on what its controllers do. */
final class ClusterWorkloads {

    static final Map<String, String> OPTED_IN = Map.of("first-ordinal.dev/backup", "enabled");
    /**
     * An opt-in label no webhook or repairer of the shared cluster serves: a namespace carrying it is looked after
     * only by an {@code audit --namespace-label} given {@link #AUDIT_ONLY_LABEL} ({@link JarCommand#auditAlone}).
     */
    static final Map<String, String> AUDIT_ONLY = Map.of("e2e.first-ordinal.dev/audit-only", "on");
    static final String AUDIT_ONLY_LABEL = "e2e.first-ordinal.dev/audit-only=on";

    private ClusterWorkloads() {
    }

    /** A Redis shard: a {@code redis} container, a {@code data} claim template, selector {@code app=<name>}, Parallel pods. */
    static StatefulSetBuilder shard(String namespace, String name, int replicas) {
        return new StatefulSetBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(name)
                .withPodManagementPolicy("Parallel")
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec()
                // PodSecurity "restricted", as deploy/labeller/example's namespace enforces it.
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer().withName("redis").withImage("redis:7.2")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .endContainer()
                .addNewContainer().withName("metrics").withImage("oliver006/redis_exporter:v1.62.0")
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .endContainer()
                .endSpec()
                .endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources()
                .endSpec()
                .endVolumeClaimTemplate()
                .endSpec();
    }

    /**
     * A shard as fleets have them, for scale tests: {@link #shard} scaled to 0 (no pods) with twenty
     * environment variables on its Redis container, a pod template of about 1.5 KB of JSON.
     */
    static StatefulSet fleetShard(String namespace, String name) {
        StatefulSet set = shard(namespace, name, 0).build();
        var redis = set.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (int i = 0; i < 20; i++) {
            redis.getEnv().add(new io.fabric8.kubernetes.api.model.EnvVar("REDIS_SETTING_" + i, "value-of-setting-" + i + "-for-" + name, null));
        }
        return set;
    }

    /**
     * A shard with a template the size of the Bitnami Redis chart's, for scale benches: the shipped
     * example (deploy/examples/redis-sentinel: two containers, probes, config volumes, a claim template)
     * with forty environment variables and a start-up script, about 7 KB of JSON (bench/MemoryPerObject's
     * "large template"); Parallel pods.
     */
    static StatefulSet bitnamiShard(String namespace, String name, int replicas) {
        StatefulSet set = Serialization.unmarshal(BITNAMI_EXAMPLE.replace("redis-shard-0", name), StatefulSet.class);
        set.getMetadata().setNamespace(namespace);
        set.getSpec().setReplicas(replicas);
        set.getSpec().setPodManagementPolicy("Parallel");
        var redis = set.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (int i = 0; i < 40; i++) {
            redis.getEnv().add(new io.fabric8.kubernetes.api.model.EnvVar("REDIS_SETTING_" + i, "value-of-setting-" + i, null));
        }
        redis.setArgs(List.of("-c", "# start-up script\n" + "redis-server --port 6379 --save 900 1\n".repeat(60)));
        return set;
    }

    private static final String BITNAMI_EXAMPLE = read(java.nio.file.Path.of("deploy", "examples", "redis-sentinel", "statefulset.yaml"));

    private static String read(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The pod the StatefulSet controller would create for {@code set} at {@code ordinal} (owner reference,
     * pod-name and pod-index labels, a {@code data} claim), with {@code labels}: outside the set's selector,
     * the controller leaves it be.
     */
    static Pod ownedPod(StatefulSet set, int ordinal, Map<String, String> labels) {
        String name = set.getMetadata().getName() + "-" + ordinal;
        Map<String, String> all = new java.util.HashMap<>(labels);
        all.putAll(Map.of("statefulset.kubernetes.io/pod-name", name, "apps.kubernetes.io/pod-index", Integer.toString(ordinal)));
        return new PodBuilder()
                .withNewMetadata().withName(name).withGenerateName(set.getMetadata().getName() + "-").withLabels(all)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName(set.getMetadata().getName())
                .withUid(set.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).endOwnerReference()
                .endMetadata()
                .withSpec(set.getSpec().getTemplate().getSpec())
                .editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-" + name)
                .endPersistentVolumeClaim().endVolume().endSpec()
                .build();
    }

    static StatefulSet create(KubernetesClient client, StatefulSet set) {
        return client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace()).resource(set).create();
    }

    /**
     * Creates many objects (sets, pods) from a few threads, each create retried a few times (a loaded API server, or a
     * client starved of CPU, times out now and then); one that already exists counts as created.
     */
    static void createAll(KubernetesClient client, List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<?>> created = new java.util.ArrayList<>();
            for (io.fabric8.kubernetes.api.model.HasMetadata object : objects) {
                created.add(pool.submit(() -> {
                    for (int attempt = 1; ; attempt++) {
                        try {
                            return client.resource(object).create();
                        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                            if (e.getCode() == 409) {
                                return object;
                            }
                            if (attempt == 5) {
                                throw e;
                            }
                            Thread.sleep(1000L * attempt);
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : created) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void namespace(KubernetesClient client, String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build())
                .serverSideApply();
        // Pod admission needs the namespace's default ServiceAccount, which the ServiceAccount controller creates.
        Waits.until(Duration.ofSeconds(30), "ServiceAccount default in " + name,
                () -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
    }

    /** The pods of a StatefulSet (selector {@code app=<name>}), by name, once there are exactly {@code count}. */
    static List<Pod> awaitPods(KubernetesClient client, String namespace, String set, int count) {
        return awaitPods(client, namespace, Map.of("app", set), count, pods -> true);
    }

    static List<Pod> awaitPods(KubernetesClient client, String namespace, Map<String, String> selector, int count,
                               Predicate<List<Pod>> also) {
        return Waits.until(Duration.ofSeconds(60), count + " pods " + selector + " in " + namespace, () -> {
            List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getName().replaceAll("[0-9]+$", ""))
                            .thenComparing(p -> ordinal(p.getMetadata().getName()))).toList();
            return pods.size() == count && also.test(pods) ? pods : null;
        });
    }

    /** The digits a pod name ends in (its StatefulSet ordinal), else -1. */
    static long ordinal(String podName) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)$").matcher(podName);
        return m.find() && m.group(1).length() < 10 ? Long.parseLong(m.group(1)) : -1;
    }

    /** Deletes a namespace, if it exists, and waits until it is gone. */
    static void deleteNamespace(KubernetesClient client, String name) {
        client.namespaces().withName(name).delete();
        Waits.until(Duration.ofSeconds(120), "namespace " + name + " deleted", () -> client.namespaces().withName(name).get() == null);
    }

    /** A hostPath PersistentVolume (never touched: no kubelet), reclaim policy Retain, that only the named claim may bind. */
    static void reservedVolume(KubernetesClient client, String name, String namespace, String claim) {
        client.persistentVolumes().resource(new PersistentVolumeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity("1Gi"))).withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewClaimRef().withNamespace(namespace).withName(claim).endClaimRef()
                .withNewHostPath().withPath("/nonexistent/first-ordinal-e2e/" + name).endHostPath()
                .endSpec().build()).serverSideApply();
    }

    static void scale(KubernetesClient client, String namespace, String set, int replicas) {
        client.apps().statefulSets().inNamespace(namespace).withName(set).scale(replicas);
    }
}
