package dev.firstordinal.hook;

import io.fabric8.kubernetes.api.model.Container;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the container the backup hook runs in, in this order:
 * <ol>
 *   <li>the container named by the pod annotation {@value #ANNOTATION}, when the pod has it;</li>
 *   <li>a container named {@code redis} or {@code valkey};</li>
 *   <li>the first container whose image repository's last path element is {@code redis} or
 *       {@code valkey} ({@code bitnami/redis:7.2} matches, {@code oliver006/redis_exporter} does
 *       not);</li>
 *   <li>the first container, with a warning: Velero would pick it anyway, and it may not be
 *       Redis.</li>
 * </ol>
 */
public final class HookContainer {

    public static final String ANNOTATION = "first-ordinal.dev/container";
    /** Container names, and image repository names, that are Redis. */
    public static final List<String> REDIS_NAMES = List.of("redis", "valkey");

    private HookContainer() {
    }

    public record Choice(String container, Optional<String> warning) {
    }

    public static Optional<Choice> choose(String podName, List<Container> listed, Map<String, String> annotations) {
        // A mutating webhook sees the pod before validation: a container may lack its (required) name.
        // The hook can only name a container that has one.
        List<Container> containers = listed == null ? List.of()
                : listed.stream().filter(c -> c != null && c.getName() != null && !c.getName().isEmpty()).toList();
        if (containers.isEmpty()) {
            return Optional.empty();
        }
        String requested = annotations == null ? null : annotations.get(ANNOTATION);
        String requestedWarning = null;
        if (requested != null) {
            if (hasContainer(containers, requested)) {
                return Optional.of(new Choice(requested, Optional.empty()));
            }
            requestedWarning = "first-ordinal: pod " + podName + " has no container \"" + requested
                    + "\" named by " + ANNOTATION + "; ";
        }
        for (Container c : containers) {
            if (REDIS_NAMES.contains(c.getName())) {
                return Optional.of(choice(c.getName(), requestedWarning, "using container \"" + c.getName() + "\""));
            }
        }
        for (Container c : containers) {
            if (REDIS_NAMES.contains(imageRepositoryName(c.getImage()))) {
                return Optional.of(choice(c.getName(), requestedWarning, "using container \"" + c.getName() + "\""));
            }
        }
        String first = containers.get(0).getName();
        String prefix = requestedWarning != null ? requestedWarning : "first-ordinal: pod " + podName + ": ";
        return Optional.of(new Choice(first, Optional.of(prefix
                + "no container is named redis or valkey or runs a redis/valkey image; the backup hook will run in the first container \""
                + first + "\"; set the pod annotation " + ANNOTATION + " to choose another")));
    }

    private static Choice choice(String container, String requestedWarning, String what) {
        return new Choice(container, requestedWarning == null ? Optional.empty() : Optional.of(requestedWarning + what));
    }

    private static boolean hasContainer(List<Container> containers, String name) {
        return containers.stream().anyMatch(c -> name.equals(c.getName()));
    }

    /**
     * The last path element of an image reference without tag or digest:
     * {@code registry.example/bitnami/redis:7.2@sha256:…} gives {@code redis}, {@code localhost:5000/valkey} gives
     * {@code valkey}.
     */
    static String imageRepositoryName(String image) {
        if (image == null) {
            return "";
        }
        String repository = image;
        int at = repository.indexOf('@');
        if (at >= 0) {
            repository = repository.substring(0, at);
        }
        int slash = repository.lastIndexOf('/');
        String last = repository.substring(slash + 1);
        int colon = last.indexOf(':');
        return colon >= 0 ? last.substring(0, colon) : last;
    }
}
