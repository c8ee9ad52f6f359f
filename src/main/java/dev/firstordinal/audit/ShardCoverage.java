package dev.firstordinal.audit;

import java.util.List;

/**
 * The coverage of one StatefulSet (one shard). See {@link CoverageCheck} for how each field is
 * found.
 *
 * @param namespace          the StatefulSet's namespace
 * @param statefulSet        its name
 * @param startOrdinal       {@code spec.ordinals.start} (0 when unset)
 * @param replicas           {@code spec.replicas} (1 when unset)
 * @param firstPod           the first-ordinal pod's name ({@code <set>-<start>})
 * @param firstPodFound      whether that pod exists
 * @param backupLabel        the value of its backup label; null when it has none
 * @param hook               whether it has a non-empty {@code pre.hook.backup.velero.io/command}
 * @param hookContainer      the container the hook runs in (the annotation's, else the first container); null without a hook
 * @param hookContainerFound whether the pod has that container (Velero fails the hook with "no such container" otherwise)
 * @param alsoLabelled       other ordinals' pods that carry the backup label (over-coverage)
 * @param claims             the first ordinal's PersistentVolumeClaims and whether each exists
 * @param state              covered, uncovered, overcovered or skipped
 * @param problems           one line per thing that is wrong, for people
 * @param leftAlone          why a skipped set is left alone (skip annotation, replica tier); null otherwise
 */
public record ShardCoverage(String namespace, String statefulSet, int startOrdinal, int replicas,
                            String firstPod, boolean firstPodFound, String backupLabel, boolean hook,
                            String hookContainer, boolean hookContainerFound, List<String> alsoLabelled,
                            List<Claim> claims, CoverageState state, List<String> problems,
                            String leftAlone) {

    public ShardCoverage {
        alsoLabelled = List.copyOf(alsoLabelled);
        claims = List.copyOf(claims);
        problems = List.copyOf(problems);
    }

    /** A PersistentVolumeClaim of the first-ordinal pod. */
    public record Claim(String name, boolean found) {
    }
}
