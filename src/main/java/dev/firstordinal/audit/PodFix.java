package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;

import java.util.List;

/**
 * One change backfill makes to a live pod: an RFC 6902 JSON patch and what it does, in words.
 *
 * @param namespace   the pod's namespace
 * @param pod         the pod's name
 * @param action      add (to a first-ordinal pod), refresh (first-ordinal's stale hook marks on a first-ordinal pod,
 *                    perhaps with additions) or remove (from another ordinal)
 * @param patch       the JSON patch, guarded by {@code test} operations so that it fails rather
 *                    than act on a pod that changed since it was read
 * @param description what the patch does, for people
 * @param warnings    what the decision warned about (e.g. the hook runs in a container that may not be Redis)
 */
public record PodFix(String namespace, String pod, Action action, ArrayNode patch, String description, List<String> warnings) {

    public enum Action { ADD, REFRESH, REMOVE }

    public PodFix {
        warnings = List.copyOf(warnings);
    }
}
