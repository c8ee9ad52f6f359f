package dev.firstordinal.policy;

import dev.firstordinal.audit.Backfill;
import dev.firstordinal.audit.PodFix;
import dev.firstordinal.audit.PodFixes;
import dev.firstordinal.audit.ShardSnapshot;
import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.PrintStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One reconcile of policy mode, run by the Lease holder: makes the start-ordinal ConfigMap list
 * every StatefulSet of an opted-in namespace whose {@code spec.ordinals.start} is not 0, then
 * backfills those sets' first-ordinal pods that were created before the policy could see their
 * entry (the StatefulSet controller creates pods as soon as the set exists, before this sync has
 * written it down), with the same {@link Backfill} plan and {@link PodFixes} {@code audit --fix} uses.
 *
 * <p>Sets starting at 0 need neither: the policy marks their first ordinal without an entry.
 */
public final class StartOrdinalSync {

    /** Where the ConfigMap lives and which namespaces count. */
    public record Target(String namespace, String configMap, NamespaceLabel namespaceLabel, Set<String> excludedNamespaces) {
    }

    private final KubernetesClient client;
    private final Target target;
    private final FirstOrdinalRule rule;
    private final PrintStream log;
    /** What this replica wrote (or found) last: a reconcile that wants the same skips reading the ConfigMap. */
    private Map<String, String> written;

    public StartOrdinalSync(KubernetesClient client, Target target, FirstOrdinalRule rule, PrintStream log) {
        this.client = client;
        this.target = target;
        this.rule = rule;
        this.log = log;
    }

    /** Whether a namespace is opted in, as the policy's namespaceSelector decides. */
    public boolean optedIn(Namespace namespace) {
        return namespace != null && namespace.getMetadata() != null
                && !target.excludedNamespaces().contains(namespace.getMetadata().getName())
                && target.namespaceLabel().matches(namespace.getMetadata().getLabels());
    }

    /** Forget what was written, so the next {@link #writeParams} reads the ConfigMap again (someone may have changed it). */
    public void forgetWritten() {
        written = null;
    }

    /**
     * Writes the ConfigMap if its data is not what {@code sets} say.
     *
     * @return whether it wrote
     */
    public boolean writeParams(List<StatefulSet> sets, Set<String> optedInNamespaces) {
        Map<String, String> desired = StartOrdinalParams.data(starts(sets, optedInNamespaces));
        if (desired.equals(written)) {
            return false;
        }
        ConfigMap current = client.configMaps().inNamespace(target.namespace()).withName(target.configMap()).get();
        Map<String, String> data = current == null || current.getData() == null ? Map.of() : current.getData();
        if (current != null && new TreeMap<>(data).equals(desired)) {
            written = desired;
            return false;
        }
        if (current == null) {
            client.configMaps().inNamespace(target.namespace()).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(target.configMap()).withNamespace(target.namespace())
                    .addToLabels("app.kubernetes.io/name", "first-ordinal").addToLabels("app.kubernetes.io/part-of", "first-ordinal")
                    .endMetadata().withData(desired).build()).create();
        } else {
            // The update carries the resourceVersion read above: a concurrent write makes it fail (409), and
            // the reconcile is retried from a fresh read.
            current.setData(desired);
            client.configMaps().inNamespace(target.namespace()).resource(current).update();
        }
        written = desired;
        say("ConfigMap " + target.namespace() + "/" + target.configMap() + " now lists " + desired.size()
                + " StatefulSet(s) with a start ordinal other than 0" + (desired.isEmpty() ? "" : ": " + desired));
        return true;
    }

    /**
     * Backfills one set's pods if its start is not 0.
     *
     * @return whether every patch went through (false: retry the set later)
     */
    public boolean backfill(StatefulSet set) {
        if (StatefulSets.startOrdinal(set) == 0) {
            return true;
        }
        String namespace = set.getMetadata().getNamespace();
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(StatefulSets.selectorLabels(set)).list().getItems().stream()
                .filter(pod -> ownedBy(pod, set)).toList();
        boolean ok = true;
        for (PodFix fix : Backfill.plan(List.of(new ShardSnapshot(set, pods, Set.of())), rule).fixes()) {
            Optional<String> failure = PodFixes.apply(client, fix);
            if (failure.isEmpty()) {
                say("pod " + fix.namespace() + "/" + fix.pod() + ": " + fix.description()
                        + " (created before the policy saw its StatefulSet's start ordinal)");
            } else {
                ok = false;
                say("could not " + fix.description() + " on " + failure.get() + "; retrying");
            }
        }
        return ok;
    }

    private static boolean ownedBy(Pod pod, StatefulSet set) {
        return pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(o.getUid(), set.getMetadata().getUid()));
    }

    static Map<String, Map<String, Integer>> starts(List<StatefulSet> sets, Set<String> optedInNamespaces) {
        Map<String, Map<String, Integer>> starts = new HashMap<>();
        for (StatefulSet set : sets) {
            String namespace = set.getMetadata().getNamespace();
            if (optedInNamespaces.contains(namespace)) {
                starts.computeIfAbsent(namespace, n -> new LinkedHashMap<>()).put(set.getMetadata().getName(), StatefulSets.startOrdinal(set));
            }
        }
        return starts;
    }

    void say(String message) {
        log.println(Instant.now() + " first-ordinal policy-sync: " + message);
    }
}
