package dev.firstordinal.testing;

import dev.firstordinal.cluster.StatefulSets;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;

/** Redis-like StatefulSets and the pods their controller would create, for tests against a mock API server. */
public final class Workloads {

    private Workloads() {
    }

    /** {@code replicas} pods from ordinal {@code start}: a {@code redis} container, a {@code data} claim template, selector {@code app=<name>}. */
    public static StatefulSet redis(String namespace, String name, int replicas, Integer start) {
        StatefulSetBuilder builder = new StatefulSetBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(name)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("redis").withImage("redis:7.2").endContainer()
                .addNewContainer().withName("metrics").withImage("oliver006/redis_exporter:v1.62.0").endContainer()
                .endSpec()
                .endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().endVolumeClaimTemplate()
                .endSpec();
        if (start != null) {
            builder.editSpec().withNewOrdinals().withStart(start).endOrdinals().endSpec();
        }
        return builder.build();
    }

    /** The pod the controller creates for an ordinal, with the claim volume it mounts. */
    public static Pod pod(StatefulSet statefulSet, int ordinal) {
        Pod pod = StatefulSets.podAt(statefulSet, ordinal);
        return new PodBuilder(pod)
                .editSpec()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName("data-" + pod.getMetadata().getName()).endPersistentVolumeClaim().endVolume()
                .endSpec()
                .build();
    }

    public static void createNamespace(KubernetesClient client, String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build())
                .create();
    }
}
