package dev.firstordinal.labeller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.ordinal.Cleanup;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.ordinal.StatefulSetOwner;
import dev.firstordinal.patch.PodPatch;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One pass of {@code label-self}: read the pod and its controlling StatefulSet, ask
 * {@link FirstOrdinalRule} what the pod must carry, and patch the live pod with the difference.
 *
 * <ul>
 *   <li>First ordinal: the missing label and hook annotations are added with one JSON patch.</li>
 *   <li>Other ordinal: first-ordinal's backup label and its own hook annotations are removed
 *       ({@link Cleanup}), never a label the StatefulSet's selector uses.</li>
 *   <li>A pod that already matches is not patched at all, so restarts change nothing.</li>
 * </ul>
 *
 * <p>Every API error surfaces as an {@link ApiFailure}; a pass is idempotent, so the caller retries
 * by running it again. Patches carry JSON patch {@code test} ops where a concurrent change could be
 * lost, and a failed test comes back as {@link ApiFailure.Kind#CONFLICT}.
 */
public final class SelfLabeller {

    /** What a pass did. */
    public enum Action { LABELLED, ALREADY_LABELLED, CLEANED, NOTHING_TO_CLEAN, NOT_OURS }

    /**
     * @param action   what happened
     * @param summary  one line for the log
     * @param warnings things the user should know (from the decision, or selector labels kept)
     * @param patch    the JSON patch sent to the pod, if one was
     */
    public record Result(Action action, String summary, List<String> warnings, Optional<String> patch) {
        public Result {
            warnings = List.copyOf(warnings);
        }

        static Result unpatched(Action action, String summary, List<String> warnings) {
            return new Result(action, summary, warnings, Optional.empty());
        }
    }

    private final KubernetesClient client;
    private final FirstOrdinalRule rule;

    public SelfLabeller(KubernetesClient client, FirstOrdinalRule rule) {
        this.client = client;
        this.rule = rule;
    }

    public Result labelOnce(String namespace, String podName) {
        String pod = namespace + "/" + podName;
        Pod live = call(Operation.getPod(namespace, podName),
                () -> client.pods().inNamespace(namespace).withName(podName).get());
        if (live == null || live.getMetadata() == null) {
            throw ApiFailure.notFound("pod " + pod + " not found: POD_NAME and POD_NAMESPACE must name this pod "
                    + "(env from the Downward API: fieldRef metadata.name and metadata.namespace)");
        }
        Optional<StatefulSetOwner> owner = StatefulSetOwner.controllerOf(live.getMetadata());
        StatefulSet statefulSet = null;
        if (owner.isPresent()) {
            String setName = owner.get().name();
            statefulSet = call(Operation.getStatefulSet(namespace, setName),
                    () -> client.apps().statefulSets().inNamespace(namespace).withName(setName).get());
            if (statefulSet == null) {
                throw ApiFailure.notFound("StatefulSet " + namespace + "/" + setName + ", the controller of pod " + pod
                        + ", not found; it may have been deleted");
            }
        }
        int start = statefulSet == null ? 0 : StatefulSets.startOrdinal(statefulSet);
        StartOrdinalLookup fromTheSet = (ns, set) -> StartOrdinalLookup.StartOrdinal.of(start);
        Decision decision = rule.decide(live, namespace, fromTheSet);
        return switch (decision.verdict()) {
            case NOT_OURS -> Result.unpatched(Action.NOT_OURS, "pod " + pod + " left alone: " + decision.reason(), decision.warnings());
            case FIRST_ORDINAL -> addMarks(namespace, podName, live, decision);
            case OTHER_ORDINAL -> removeMarks(namespace, podName, live, decision, statefulSet);
        };
    }

    private Result addMarks(String namespace, String podName, Pod live, Decision decision) {
        String pod = namespace + "/" + podName;
        String where = "pod " + pod + " is the first ordinal (" + start(decision) + ") of StatefulSet "
                + decision.statefulSet().orElse("?");
        if (!decision.changesPod()) {
            return Result.unpatched(Action.ALREADY_LABELLED, where + " and already carries its marks; nothing to do", decision.warnings());
        }
        ObjectMeta metadata = live.getMetadata();
        ArrayNode patch;
        if (decision.isStale()) {
            patch = PodPatch.refresh(metadata.getResourceVersion(), metadata, decision.staleLabels(), decision.staleAnnotations(),
                    decision.labelsToAdd(), decision.annotationsToAdd());
        } else {
            patch = PodPatch.additions(metadata, decision.labelsToAdd(), decision.annotationsToAdd());
            guardWholeMapAdds(patch, metadata.getResourceVersion());
        }
        String sent = applyPatch(namespace, live, patch);
        List<String> added = new ArrayList<>();
        decision.labelsToAdd().forEach((k, v) -> added.add("label " + k + "=" + v));
        if (!decision.annotationsToAdd().isEmpty()) {
            added.add(decision.annotationsToAdd().size() + " hook annotations");
        }
        String refreshed = decision.isStale()
                ? "removed " + (decision.staleLabels().size() + decision.staleAnnotations().size()) + " stale hook marks"
                + (added.isEmpty() ? "" : ", then ") : "";
        String did = refreshed + (added.isEmpty() ? "" : "added " + String.join(" and ", added));
        return new Result(Action.LABELLED, where + ": " + did, decision.warnings(), Optional.of(sent));
    }

    private Result removeMarks(String namespace, String podName, Pod live, Decision decision, StatefulSet statefulSet) {
        String pod = namespace + "/" + podName;
        String where = "pod " + pod + " is not the first ordinal of StatefulSet " + decision.statefulSet().orElse("?")
                + " (" + decision.reason() + ")";
        Cleanup cleanup = Cleanup.of(live.getMetadata(), rule.policy(), StatefulSets.selectorLabels(statefulSet));
        List<String> warnings = new ArrayList<>(decision.warnings());
        cleanup.keptSelectorLabels().forEach((k, v) -> warnings.add("label " + k + "=" + v + " kept on pod " + pod
                + ": the StatefulSet's selector uses it, removing it would orphan the pod"));
        if (!cleanup.changesPod()) {
            return Result.unpatched(Action.NOTHING_TO_CLEAN, where + "; it carries no first-ordinal marks", warnings);
        }
        String sent = applyPatch(namespace, live, PodPatch.removals(live.getMetadata().getResourceVersion(), cleanup.labelsToRemove(), cleanup.annotationsToRemove()));
        return new Result(Action.CLEANED, where + ": removed " + String.join(", ", cleanup.removedKeys()), warnings, Optional.of(sent));
    }

    /** Patches the pod as read: handing fabric8 the object saves it a GET before the PATCH. */
    private String applyPatch(String namespace, Pod live, ArrayNode patch) {
        String name = live.getMetadata().getName();
        String json = patch.toString();
        Pod patched = call(Operation.patchPod(namespace, name), () -> client.pods().inNamespace(namespace).resource(live)
                .patch(PatchContext.of(PatchType.JSON), json));
        if (patched == null) {
            throw ApiFailure.notFound("pod " + namespace + "/" + name + " was deleted before it could be patched");
        }
        return json;
    }

    /**
     * An {@code add} of a whole labels or annotations map replaces whatever map is there by then;
     * testing the resourceVersion first makes the patch fail (and the pass re-read) instead of
     * wiping keys someone else added since the read.
     */
    private static void guardWholeMapAdds(ArrayNode patch, String resourceVersion) {
        boolean replacesAMap = false;
        for (var op : patch) {
            String path = op.path("path").asText();
            replacesAMap |= path.equals("/metadata/labels") || path.equals("/metadata/annotations");
        }
        if (replacesAMap && resourceVersion != null) {
            ObjectNode test = patch.objectNode().put("op", "test").put("path", "/metadata/resourceVersion").put("value", resourceVersion);
            patch.insert(0, test);
        }
    }

    private static String start(Decision decision) {
        return decision.ordinal().isPresent() ? Integer.toString(decision.ordinal().getAsInt()) : "?";
    }

    private static <T> T call(Operation operation, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw ApiFailure.of(operation, e);
        }
    }
}
