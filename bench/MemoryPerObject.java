import dev.firstordinal.audit.PodEssentials;
import dev.firstordinal.audit.SharedValues;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.repair.PodRecord;
import dev.firstordinal.cluster.StatefulSets;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * Heap retained per StatefulSet and per pod by what first-ordinal keeps of them, against the whole
 * objects (what the coverage run held before issue #31), measured in the same JVM: each object is
 * parsed from its own JSON (as the Kubernetes client does, so no strings are shared between
 * objects), N of them are held, and the heap used after a full GC is compared with the heap used
 * before. Bounded: a fixed number of objects per row.
 *
 *   java -XX:+UseSerialGC -Xmx1g -cp <app jar and its libs> bench/MemoryPerObject.java statefulset.yaml [N]
 *
 * statefulset.yaml: a StatefulSet whose template stands for a fleet's (e.g. deploy/examples/redis-sentinel).
 */
public class MemoryPerObject {

    public static void main(String[] args) throws Exception {
        StatefulSet example = Serialization.unmarshal(Files.readString(Path.of(args[0])), StatefulSet.class);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        StatefulSet large = Serialization.clone(example);
        // A Bitnami-sized template: forty environment variables and a start-up script.
        var container = large.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (int i = 0; i < 40; i++) {
            container.getEnv().add(new EnvVar("REDIS_SETTING_" + i, "value-of-setting-" + i, null));
        }
        container.setArgs(java.util.List.of("-c", "# start-up script\n" + "redis-server --port 6379 --save 900 1\n".repeat(60)));
        for (var row : new Object[][] {{"example template", example}, {"large template", large}}) {
            StatefulSet set = (StatefulSet) row[1];
            String setJson = Serialization.asJson(set);
            Pod pod = pendingPod(set);
            String podJson = Serialization.asJson(pod);
            System.out.printf("%s: StatefulSet JSON %d B, pod JSON %d B%n", row[0], setJson.length(), podJson.length());
            long fullSet = perObject(n, i -> parse(setJson, i, StatefulSet.class));
            long slimSet = perObject(n, i -> StatefulSets.essentials(parse(setJson, i, StatefulSet.class)));
            long keyOnly = perObject(n, i -> keyAndOrdinals(parse(setJson, i, StatefulSet.class)));
            long fullPod = perObject(n, i -> parse(podJson, i, Pod.class));
            long firstPod = perObject(n, i -> PodEssentials.of(parse(podJson, i, Pod.class), true));
            long otherPod = perObject(n, i -> PodEssentials.of(parse(podJson, i, Pod.class), false));
            System.out.printf("  StatefulSet: whole %d B, essentials %d B (%.3f of whole), key and ordinals only (the cache before #31) %d B (%.3f)%n",
                    fullSet, slimSet, (double) slimSet / fullSet, keyOnly, (double) keyOnly / fullSet);
            System.out.printf("  pod: whole %d B, first-ordinal essentials %d B (%.3f), other ordinal %d B (%.3f)%n",
                    fullPod, firstPod, (double) firstPod / fullPod, otherPod, (double) otherPod / fullPod);
            // What self-repair's pod store keeps, a marked first ordinal (the ~8.7 KB hook command) and an other ordinal.
            String markedJson = Serialization.asJson(marked(pod));
            var packer = PodRecord.packer(POLICY);
            SharedValues shared = new SharedValues(POLICY);
            long slimMarked = perObject(n, i -> roundTwoSlim(parse(markedJson, i, Pod.class)));
            long slimOther = perObject(n, i -> roundTwoSlim(parse(podJson, i, Pod.class)));
            long recordMarked = perObject(n, i -> packer.apply(parse(markedJson, i, Pod.class)));
            long recordOther = perObject(n, i -> packer.apply(parse(podJson, i, Pod.class)));
            long essentialsMarked = perObject(n, i -> PodEssentials.of(parse(markedJson, i, Pod.class), true));
            long essentialsShared = perObject(n, i -> {
                Pod essentials = PodEssentials.of(parse(markedJson, i, Pod.class), true);
                essentials.getMetadata().setAnnotations(shared.share(essentials.getMetadata().getAnnotations()));
                return essentials;
            });
            System.out.printf("  self-repair's pod store: marked first ordinal %d B before (slim client pod, its own hook text), %d B now "
                            + "(PodRecord, hook text shared) (%.3f); other ordinal %d B before, %d B now (%.3f)%n",
                    slimMarked, recordMarked, (double) recordMarked / slimMarked, slimOther, recordOther, (double) recordOther / slimOther);
            System.out.printf("  coverage batch, marked first ordinal: essentials %d B before, %d B with the hook values shared (%.3f)%n",
                    essentialsMarked, essentialsShared, (double) essentialsShared / essentialsMarked);
            // What the informer collects of that store into one list at the end of every list and relist (one per pod).
            PodRecord[] records = new PodRecord[n];
            for (int i = 0; i < n; i++) {
                records[i] = packer.apply(parse(i % 2 == 0 ? markedJson : podJson, i, Pod.class));
            }
            long unpackedInList = perObject(n, i -> records[i].pod());
            long listedInList = perObject(n, i -> records[i].listed());
            System.out.printf("  the informer's list of self-repair's pod store at a relist's end, per pod: %d B before (the unpacked pod), "
                            + "%d B now (identity, resourceVersion, controller) (%.3f)%n",
                    unpackedInList, listedInList, (double) listedInList / unpackedInList);
        }
    }

    private static final MarkingPolicy POLICY = MarkingPolicy.defaults();

    /** A first ordinal as the webhook admitted it: the backup label and the hook annotations. */
    private static Pod marked(Pod pod) {
        return new PodBuilder(pod).editMetadata().addToLabels(POLICY.labelKey(), POLICY.labelValue())
                .addToAnnotations(POLICY.hook().forContainer("redis")).endMetadata().build();
    }

    /** What self-repair's pod store kept of a pod before this round (round 2's SlimPods): a client pod, every annotation its own. */
    private static Pod roundTwoSlim(Pod full) {
        var meta = full.getMetadata();
        var containers = full.getSpec().getContainers().stream()
                .map(c -> new io.fabric8.kubernetes.api.model.ContainerBuilder().withName(c.getName()).withImage(c.getImage()).build()).toList();
        return new PodBuilder().withMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(meta.getName())
                        .withNamespace(meta.getNamespace()).withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion())
                        .withLabels(meta.getLabels()).withAnnotations(meta.getAnnotations()).withOwnerReferences(meta.getOwnerReferences())
                        .withCreationTimestamp(meta.getCreationTimestamp()).withDeletionTimestamp(meta.getDeletionTimestamp()).build())
                .withNewSpec().withContainers(containers).endSpec().build();
    }

    /** What the webhook's cache kept of a set before issue #31. */
    private static StatefulSet keyAndOrdinals(StatefulSet full) {
        var slim = new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewMetadata()
                .withName(full.getMetadata().getName()).withNamespace(full.getMetadata().getNamespace())
                .withUid(full.getMetadata().getUid()).withResourceVersion(full.getMetadata().getResourceVersion()).endMetadata();
        if (full.getSpec().getOrdinals() != null) {
            slim.withNewSpec().withOrdinals(full.getSpec().getOrdinals()).endSpec();
        }
        return slim.build();
    }

    /** A Pending pod as the API server stores it for ordinal 1: the template's pod with uid, resourceVersion and status. */
    private static Pod pendingPod(StatefulSet set) {
        Pod pod = StatefulSets.podAt(set, 1);
        return new PodBuilder(pod).editMetadata().withNamespace("fleet").withUid("6f1c1a3e-0d5e-4a57-9a5f-3b8e1f0c2d11")
                .withResourceVersion("123456").withCreationTimestamp("2026-12-06T20:00:00Z").endMetadata()
                .editSpec().withServiceAccountName("default").withNodeName(null).endSpec()
                .withNewStatus().withPhase("Pending").withQosClass("Burstable").endStatus().build();
    }

    /** Each object gets its own name, so that its strings are its own. */
    private static <T> T parse(String json, int i, Class<T> type) {
        return Serialization.unmarshal(json.replaceFirst("\"name\":\"([^\"]*)\"", "\"name\":\"$1-" + i + "\""), type);
    }

    private static long perObject(int n, IntFunction<Object> make) {
        Object[] held = new Object[n];
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            held[i] = make.apply(i);
        }
        long after = usedAfterGc();
        long per = (after - before) / n;
        if (held[n - 1] == null) {
            throw new IllegalStateException();
        }
        return per;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
