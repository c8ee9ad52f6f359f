package dev.firstordinal.testing;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;

import java.util.Map;

/** Redis StatefulSets and the pods their controller would create, as the API server stores them. */
public final class StatefulSetPods {

    public static final String SELECTOR_KEY = "app";

    private StatefulSetPods() {
    }

    /** A StatefulSet selecting {@code app=<name>}; {@code start} null leaves {@code spec.ordinals} unset. */
    public static StatefulSet statefulSet(String namespace, String name, Integer start) {
        StatefulSetBuilder builder = new StatefulSetBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withUid("uid-" + name).endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .withServiceName(name)
                .withNewSelector().addToMatchLabels(SELECTOR_KEY, name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels(SELECTOR_KEY, name).endMetadata()
                .withNewSpec().addToContainers(redis()).endSpec()
                .endTemplate()
                .endSpec();
        if (start != null) {
            builder.editSpec().withNewOrdinals(start).endSpec();
        }
        return builder.build();
    }

    /** Pod {@code <set>-<ordinal>} with the controller ownerReference and the labels the StatefulSet controller sets. */
    public static Pod pod(String namespace, String set, int ordinal) {
        String name = set + "-" + ordinal;
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withGenerateName(set + "-")
                .withLabels(Map.of(
                        SELECTOR_KEY, set,
                        "statefulset.kubernetes.io/pod-name", name,
                        "apps.kubernetes.io/pod-index", Integer.toString(ordinal),
                        "controller-revision-hash", set + "-5d8f7c9b4"))
                .addNewOwnerReference()
                .withApiVersion("apps/v1").withKind("StatefulSet").withName(set).withUid("uid-" + set)
                .withController(true).withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec().addToContainers(redis()).endSpec()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.Container redis() {
        return new ContainerBuilder().withName("redis").withImage("redis:7.2").build();
    }
}
