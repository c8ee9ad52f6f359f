package dev.firstordinal.labeller;

import com.sun.management.OperatingSystemMXBean;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.patch.PodPatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Where label-self's start-up time goes, step by step, for {@code bench/label-self.sh --phases}:
 * the same calls {@link SelfLabeller} makes, each timed in wall and process CPU milliseconds.
 * Uses KUBERNETES_MASTER, POD_NAME and POD_NAMESPACE like the command.
 */
public final class LabelSelfPhases {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static long wall = System.nanoTime();
    private static long cpu = OS.getProcessCpuTime();

    private LabelSelfPhases() {
    }

    private static void phase(String name) {
        long nowWall = System.nanoTime();
        long nowCpu = OS.getProcessCpuTime();
        System.out.printf("  %-44s %6d ms wall %6d ms CPU%n", name, (nowWall - wall) / 1_000_000, (nowCpu - cpu) / 1_000_000);
        wall = nowWall;
        cpu = nowCpu;
    }

    public static void main(String[] args) {
        System.out.printf("  %-44s %6d ms wall %6d ms CPU%n", "JVM start to main()", ManagementFactory.getRuntimeMXBean().getUptime(),
                cpu / 1_000_000);
        String namespace = System.getenv("POD_NAMESPACE");
        String name = System.getenv("POD_NAME");
        new KubernetesSerialization();
        phase("Jackson + fabric8 serialization set-up");
        FirstOrdinalRule rule = new FirstOrdinalRule(MarkingPolicy.defaults());
        phase("marking policy (hook script, annotations)");
        KubernetesClient client = LabellerClient.create(Duration.ofSeconds(60));
        phase("fabric8 client (JDK HTTP client)");
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        phase("GET pod (connect, first request, Pod model)");
        String set = pod.getMetadata().getOwnerReferences().get(0).getName();
        StatefulSet statefulSet = client.apps().statefulSets().inNamespace(namespace).withName(set).get();
        phase("GET statefulset");
        int start = StatefulSets.startOrdinal(statefulSet);
        Decision decision = rule.decide(pod, namespace, (ns, s) -> StartOrdinalLookup.StartOrdinal.of(start));
        String patch = PodPatch.additions(pod.getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd()).toString();
        phase("decide + build patch");
        client.pods().inNamespace(namespace).resource(pod).patch(PatchContext.of(PatchType.JSON), patch);
        phase("PATCH pod");
        System.out.printf("  %-44s %6d ms wall %6d ms CPU%n", "total (JVM start to patched)", ManagementFactory.getRuntimeMXBean().getUptime(),
                OS.getProcessCpuTime() / 1_000_000);
        System.exit(0);
    }
}
