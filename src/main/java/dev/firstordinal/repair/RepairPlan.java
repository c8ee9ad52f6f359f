package dev.firstordinal.repair;

import dev.firstordinal.audit.Backfill;
import dev.firstordinal.audit.PodFix;
import dev.firstordinal.audit.ShardSnapshot;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.Cleanup;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.PodOrdinal;
import dev.firstordinal.ordinal.StartOrdinalLookup.StartOrdinal;
import dev.firstordinal.ordinal.StatefulSetOwner;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the repairer does to one StatefulSet's live pods: the {@link Backfill} plan {@code audit --fix}
 * and policy-sync make (so the same {@link FirstOrdinalRule#decide} decision, the same {@code test}-guarded
 * patches, a user's hook and a selector label left alone), each fix with its {@link RepairCause}. Pure.
 *
 * <p>Only the set's current pods count: a pod being deleted, or whose ordinal is outside the set's
 * {@code [start, start + replicas)} (the controller is about to delete it), is left alone.
 *
 * <p>The cause of an addition is {@link RepairCause#START_CHANGED} when the pod is older than the set's
 * last spec change (its newest managedFields entry touching {@code spec}): it existed before its ordinal
 * became the first. Otherwise, and for a set without managedFields, {@link RepairCause#MISSED_AT_ADMISSION}.
 * A pod created unmarked whose set is changed afterwards (e.g. scaled) also counts as start-changed. A refresh of
 * first-ordinal's own stale hook marks is {@link RepairCause#STALE_HOOK}.
 */
public record RepairPlan(List<Repair> repairs, List<String> kept) {

    /**
     * One patch and why.
     *
     * @param unmarkedSince for an addition, since when the pod has lacked its marks as first ordinal (its creation,
     *                      or the set's last spec change when the start moved onto it); empty for a cleaning
     */
    public record Repair(PodFix fix, RepairCause cause, Optional<Instant> unmarkedSince) {
    }

    public RepairPlan {
        repairs = List.copyOf(repairs);
        kept = List.copyOf(kept);
    }

    /** @param pods the pods whose controller is {@code set} (others are ignored) */
    public static RepairPlan of(StatefulSet set, List<Pod> pods, FirstOrdinalRule rule) {
        int start = StatefulSets.startOrdinal(set);
        long end = (long) start + StatefulSets.replicas(set);
        String name = set.getMetadata().getName();
        String uid = set.getMetadata().getUid();
        Map<String, Pod> current = new HashMap<>();
        for (Pod pod : pods) {
            if (pod.getMetadata() == null || pod.getMetadata().getDeletionTimestamp() != null || !controlledBy(pod, name, uid)) {
                continue;
            }
            OptionalInt ordinal = PodOrdinal.of(pod.getMetadata(), name);
            if (ordinal.isPresent() && ordinal.getAsInt() >= start && ordinal.getAsInt() < end) {
                current.put(pod.getMetadata().getName(), pod);
            }
        }
        Backfill.Plan plan = Backfill.plan(List.of(new ShardSnapshot(set, List.copyOf(current.values()), Set.of())), rule);
        Optional<Instant> specChanged = lastSpecChange(set);
        List<Repair> repairs = plan.fixes().stream().map(fix -> {
            if (fix.action() == PodFix.Action.REMOVE) {
                return new Repair(fix, RepairCause.CLEANED, Optional.empty());
            }
            if (fix.action() == PodFix.Action.REFRESH) {
                return new Repair(fix, RepairCause.STALE_HOOK, Optional.empty());
            }
            Optional<Instant> created = time(current.get(fix.pod()).getMetadata().getCreationTimestamp());
            boolean olderThanChange = created.isPresent() && specChanged.isPresent() && created.get().isBefore(specChanged.get());
            return olderThanChange
                    ? new Repair(fix, RepairCause.START_CHANGED, specChanged)
                    : new Repair(fix, RepairCause.MISSED_AT_ADMISSION, created);
        }).toList();
        return new RepairPlan(repairs, plan.kept());
    }

    /**
     * Whether a pod may need a repair, judged from a cached start ordinal without an API call, so that
     * pod events that cannot matter do not cost a read of the set. True when in doubt: no cached start, or
     * an ordinal outside the cached range (a cache that lags).
     */
    public static boolean mayNeedRepair(Pod pod, String namespace, Optional<StartOrdinal> cached, FirstOrdinalRule rule) {
        if (pod.getMetadata() == null || pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        Optional<StatefulSetOwner> owner = StatefulSetOwner.controllerOf(pod.getMetadata());
        if (owner.isEmpty()) {
            return false;
        }
        OptionalInt ordinal = PodOrdinal.of(pod.getMetadata(), owner.get().name());
        if (ordinal.isEmpty()) {
            return false;
        }
        if (cached.isEmpty() || cached.get().warning().isPresent() || cached.get().ruledOut(ordinal.getAsInt())) {
            return true;
        }
        Decision decision = rule.decide(pod, namespace, (ns, set) -> cached.get());
        return switch (decision.verdict()) {
            case FIRST_ORDINAL -> decision.changesPod();
            case OTHER_ORDINAL -> Cleanup.of(pod.getMetadata(), rule.policy(), Map.of()).changesPod();
            case NOT_OURS -> false;
        };
    }

    private static boolean controlledBy(Pod pod, String name, String uid) {
        return StatefulSetOwner.controllerOf(pod.getMetadata()).map(StatefulSetOwner::name).filter(name::equals).isPresent()
                && (uid == null || pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && (o.getUid() == null || Objects.equals(o.getUid(), uid))));
    }

    /** The newest managedFields time of a write to the set's spec (not its status). */
    static Optional<Instant> lastSpecChange(StatefulSet set) {
        List<ManagedFieldsEntry> entries = set.getMetadata().getManagedFields();
        if (entries == null) {
            return Optional.empty();
        }
        Instant newest = null;
        for (ManagedFieldsEntry entry : entries) {
            if (entry.getSubresource() != null && !entry.getSubresource().isEmpty()) {
                continue;
            }
            Object fields = entry.getFieldsV1() == null ? null : entry.getFieldsV1().getAdditionalProperties().get("f:spec");
            Optional<Instant> time = time(entry.getTime());
            if (fields != null && time.isPresent() && (newest == null || time.get().isAfter(newest))) {
                newest = time.get();
            }
        }
        return Optional.ofNullable(newest);
    }

    private static Optional<Instant> time(String timestamp) {
        if (timestamp == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(timestamp));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
