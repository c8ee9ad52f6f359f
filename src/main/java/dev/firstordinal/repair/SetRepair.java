package dev.firstordinal.repair;

import dev.firstordinal.audit.PodFixes;
import dev.firstordinal.cluster.ClientErrors;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@link Repairer}'s pass over one StatefulSet: the set read from the API server (never from a cache; a set
 * that cannot be read is never patched), its {@link RepairPlan}, each fix sent with {@link PodFixes}, counted and
 * logged.
 */
final class SetRepair {

    private static final Logger LOG = Logger.getLogger(Repairer.class);

    private final KubernetesClient client;
    private final FirstOrdinalRule rule;
    private final RepairMetrics metrics;
    private final Clock clock;
    private final Duration retry;

    SetRepair(KubernetesClient client, FirstOrdinalRule rule, RepairMetrics metrics, Clock clock, Duration retry) {
        this.client = client;
        this.rule = rule;
        this.metrics = metrics;
        this.clock = clock;
        this.retry = retry;
    }

    /**
     * @param pods the set's pods as the watch has them, read once the set has been
     * @return false when the set must be tried again (it could not be read, or a patch failed)
     */
    boolean repair(String namespace, String name, Supplier<List<Pod>> pods) {
        StatefulSet set;
        try {
            set = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            metrics.statefulSetUnreadable();
            LOG.warnf("repair: StatefulSet %s/%s cannot be read (%s); its pods are not touched, tried again in %ds", namespace, name,
                    ClientErrors.oneLine(e), retry.toSeconds());
            return false;
        }
        if (set == null) {
            return true; // deleted: the garbage collector takes its pods
        }
        RepairPlan plan = RepairPlan.of(set, pods.get(), rule);
        boolean done = true;
        for (RepairPlan.Repair repair : plan.repairs()) {
            Optional<String> failure = PodFixes.apply(client, repair.fix());
            if (failure.isEmpty()) {
                Duration unmarked = repair.unmarkedSince().map(since -> Duration.between(since, clock.instant())).orElse(null);
                metrics.repaired(repair.cause(), unmarked);
                LOG.infof("repair: pod %s/%s (%s%s): %s", namespace, repair.fix().pod(), repair.cause().label(),
                        unmarked == null ? "" : ", unmarked for " + unmarked.toSeconds() + "s", repair.fix().description());
            } else {
                metrics.patchFailed();
                done = false;
                LOG.warnf("repair: could not %s on %s; tried again", repair.fix().description(), failure.get());
            }
        }
        plan.kept().forEach(line -> LOG.debugf("repair: %s", line));
        return done;
    }
}
