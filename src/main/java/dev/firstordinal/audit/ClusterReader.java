package dev.firstordinal.audit;

import dev.firstordinal.cluster.NamespaceLabel;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.PodOrdinal;
import dev.firstordinal.ordinal.StatefulSetOwner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads what the audit and the coverage gauges need from the cluster, one namespace at a time and
 * with memory bounded by {@link #SETS_PER_PASS} StatefulSets, not by the cluster:
 * <ul>
 *   <li>StatefulSets: from the webhook's informer cache when one is given and has them, else a paged
 *       list; only their {@link StatefulSets#essentials} are kept;</li>
 *   <li>pods: a paged list; only pods controlled by a StatefulSet being read, and only their
 *       {@link PodEssentials}, are kept;</li>
 *   <li>claims: a paged metadata-only list (PartialObjectMetadata); only the names the first ordinals
 *       use are kept.</li>
 * </ul>
 * A namespace with more StatefulSets than {@link #SETS_PER_PASS} is read in batches of that many,
 * its pods and claims listed once per batch: slower, never more memory. RBAC: list on namespaces
 * (for {@link #optedInNamespaces}), and list on statefulsets.apps, pods and persistentvolumeclaims
 * in the audited namespaces.
 */
public final class ClusterReader {

    /** StatefulSets whose pods one pass over a namespace's pods collects. */
    public static final int SETS_PER_PASS = 1000;
    /** Page sizes: a page of whole objects (a Bitnami-sized pod or set parses to ~26 KB) must stay small beside a 96 MiB heap. */
    static final long STATEFULSET_PAGE = 100;
    static final long POD_PAGE = 100;
    static final long CLAIM_PAGE = 500;

    private final KubernetesClient client;
    private final Function<String, Optional<List<StatefulSet>>> cachedSets;
    private final int setsPerPass;
    private final Optional<SharedValues> shared;

    public ClusterReader(KubernetesClient client) {
        this(client, namespace -> Optional.empty());
    }

    /** @param shared the values of the policy being checked, kept once rather than once per pod */
    public ClusterReader(KubernetesClient client, SharedValues shared) {
        this(client, namespace -> Optional.empty(), SETS_PER_PASS, Optional.of(shared));
    }

    /** @param cachedSets a namespace's StatefulSets from a cache (e.g. the webhook's informer), empty when it has none */
    public ClusterReader(KubernetesClient client, Function<String, Optional<List<StatefulSet>>> cachedSets) {
        this(client, cachedSets, SETS_PER_PASS, Optional.empty());
    }

    public ClusterReader(KubernetesClient client, Function<String, Optional<List<StatefulSet>>> cachedSets, SharedValues shared) {
        this(client, cachedSets, SETS_PER_PASS, Optional.of(shared));
    }

    ClusterReader(KubernetesClient client, Function<String, Optional<List<StatefulSet>>> cachedSets, int setsPerPass) {
        this(client, cachedSets, setsPerPass, Optional.empty());
    }

    private ClusterReader(KubernetesClient client, Function<String, Optional<List<StatefulSet>>> cachedSets, int setsPerPass,
                          Optional<SharedValues> shared) {
        this.client = client;
        this.cachedSets = cachedSets;
        this.setsPerPass = setsPerPass;
        this.shared = shared;
    }

    /** The namespaces that carry the opt-in label, sorted by name. */
    public List<String> optedInNamespaces(NamespaceLabel label) {
        List<String> names = new ArrayList<>();
        forEachPage(options -> client.namespaces().withLabel(label.key(), label.value()).listAsPartialObjectMetadata(options),
                CLAIM_PAGE, namespace -> names.add(namespace.getMetadata().getName()));
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /**
     * The labels of each of these namespaces that exists (a list with a field selector per name, so
     * the audit's list-only RBAC suffices); empty when namespaces may not be listed (HTTP 403).
     */
    public Optional<Map<String, Map<String, String>>> namespaceLabels(List<String> names) {
        Map<String, Map<String, String>> found = new HashMap<>();
        try {
            for (String name : names) {
                client.namespaces().withField("metadata.name", name).list().getItems().forEach(n -> found.put(n.getMetadata().getName(),
                        n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
            }
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 403) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(found);
    }

    /**
     * Every StatefulSet of these namespaces with its pods and the claims of its first ordinal, sorted
     * by namespace and name, all at once: memory grows with the namespaces. Prefer {@link #read}.
     */
    public List<ShardSnapshot> snapshots(List<String> namespaces) {
        List<ShardSnapshot> snapshots = new ArrayList<>();
        for (String namespace : namespaces) {
            read(namespace, snapshots::addAll);
        }
        return snapshots;
    }

    /**
     * Reads one namespace and hands its StatefulSets, sorted by name, to {@code batch}, at most
     * {@link #SETS_PER_PASS} at a time; nothing of a batch is kept once it returns.
     *
     * @return how many batches (passes over the namespace's pods) it took; 0 without StatefulSets
     */
    public int read(String namespace, Consumer<List<ShardSnapshot>> batch) {
        List<StatefulSet> sets = new ArrayList<>(cachedSets.apply(namespace).orElseGet(() -> listStatefulSets(namespace)));
        sets.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        int passes = 0;
        for (int from = 0; from < sets.size(); from += setsPerPass) {
            batch.accept(snapshots(namespace, sets.subList(from, Math.min(sets.size(), from + setsPerPass))));
            passes++;
        }
        return passes;
    }

    private List<StatefulSet> listStatefulSets(String namespace) {
        List<StatefulSet> sets = new ArrayList<>();
        forEachPage(options -> client.apps().statefulSets().inNamespace(namespace).list(options), STATEFULSET_PAGE,
                set -> sets.add(StatefulSets.essentials(set)));
        return sets;
    }

    private List<ShardSnapshot> snapshots(String namespace, List<StatefulSet> sets) {
        Map<String, StatefulSet> byName = new HashMap<>();
        sets.forEach(set -> byName.put(set.getMetadata().getName(), set));
        Map<String, List<Pod>> podsBySet = new HashMap<>();
        forEachPage(options -> client.pods().inNamespace(namespace).list(options), POD_PAGE, pod -> {
            ObjectMeta meta = pod.getMetadata();
            StatefulSet set = meta == null ? null : StatefulSetOwner.controllerOf(meta).map(o -> byName.get(o.name())).orElse(null);
            if (set == null) {
                return;
            }
            OptionalInt ordinal = PodOrdinal.of(meta, set.getMetadata().getName());
            if (ordinal.isPresent()) {
                boolean first = ordinal.getAsInt() == StatefulSets.startOrdinal(set);
                Pod essentials = PodEssentials.of(pod, first);
                shared.ifPresent(values -> essentials.getMetadata().setAnnotations(values.share(essentials.getMetadata().getAnnotations())));
                podsBySet.computeIfAbsent(set.getMetadata().getName(), k -> new ArrayList<>()).add(essentials);
            }
        });
        // Each set's own claims: a snapshot holding the whole namespace's names would copy them once per set.
        Map<String, List<String>> wanted = new HashMap<>();
        Set<String> allWanted = new HashSet<>();
        for (StatefulSet set : sets) {
            List<String> names = new ArrayList<>(StatefulSets.claimNames(set, StatefulSets.startOrdinal(set)));
            for (Pod pod : podsBySet.getOrDefault(set.getMetadata().getName(), List.of())) {
                if (pod.getSpec() != null) {
                    pod.getSpec().getVolumes().forEach(v -> names.add(v.getPersistentVolumeClaim().getClaimName()));
                }
            }
            wanted.put(set.getMetadata().getName(), names);
            allWanted.addAll(names);
        }
        Set<String> found = new HashSet<>();
        forEachPage(options -> client.persistentVolumeClaims().inNamespace(namespace).listAsPartialObjectMetadata(options), CLAIM_PAGE,
                claim -> {
                    if (allWanted.contains(claim.getMetadata().getName())) {
                        found.add(claim.getMetadata().getName());
                    }
                });
        return sets.stream()
                .map(set -> {
                    String name = set.getMetadata().getName();
                    Set<String> claims = new HashSet<>(wanted.get(name));
                    claims.retainAll(found);
                    return new ShardSnapshot(set, podsBySet.getOrDefault(name, List.of()), claims);
                })
                .toList();
    }

    /** Lists page by page ({@code limit}/{@code continue}), so that no response holds more than {@code limit} items. */
    private static <T extends HasMetadata> void forEachPage(Function<ListOptions, ? extends KubernetesResourceList<T>> list, long limit,
                                                            Consumer<T> each) {
        String next = null;
        do {
            KubernetesResourceList<T> page = list.apply(new ListOptionsBuilder().withLimit(limit).withContinue(next).build());
            if (page.getItems() != null) { // a metadata-only list of nothing comes without "items"
                page.getItems().forEach(each);
            }
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
    }
}
