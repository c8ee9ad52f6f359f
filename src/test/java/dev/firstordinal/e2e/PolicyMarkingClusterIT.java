package dev.firstordinal.e2e;

import org.junit.jupiter.api.Tag;

import java.time.Duration;

/**
 * {@link MarkingScenarios} in policy mode: the shipped MutatingAdmissionPolicy marks pods inside the
 * API server, with {@code policy-sync} running (sets with {@code spec.ordinals.start} other than 0).
 */
@Tag("real-cluster")
class PolicyMarkingClusterIT extends MarkingScenarios {

    @Override
    ControlPlane install() throws Exception {
        PolicyMode policy = PolicyMode.shared();
        policy.startSync();
        return policy.cluster();
    }

    /**
     * A set starting elsewhere than 0 may get its first pod before policy-sync lists it; policy-sync then
     * marks that pod. A set starting at 0 needs no entry: the policy marks it at admission.
     */
    @Override
    Duration settle(int startOrdinal) {
        return startOrdinal == 0 ? Duration.ZERO : Duration.ofSeconds(30);
    }
}
