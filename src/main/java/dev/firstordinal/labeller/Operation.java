package dev.firstordinal.labeller;

/**
 * One Kubernetes API call the labeller makes, described well enough to name the RBAC rule it
 * needs when the API server says 403.
 *
 * @param verb      the RBAC verb ({@code get}, {@code patch})
 * @param resource  the resource ({@code pods}, {@code statefulsets})
 * @param apiGroup  the API group, empty for the core group
 * @param namespace the namespace of the object
 * @param name      the object's name
 */
public record Operation(String verb, String resource, String apiGroup, String namespace, String name) {

    public static Operation getPod(String namespace, String name) {
        return new Operation("get", "pods", "", namespace, name);
    }

    public static Operation patchPod(String namespace, String name) {
        return new Operation("patch", "pods", "", namespace, name);
    }

    public static Operation getStatefulSet(String namespace, String name) {
        return new Operation("get", "statefulsets", "apps", namespace, name);
    }

    /** {@code get pods/redis-0 in namespace "shop"}. */
    public String describe() {
        return verb + " " + resource + (apiGroup.isEmpty() ? "" : "." + apiGroup) + "/" + name + " in namespace \"" + namespace + "\"";
    }

    /** {@code "patch" on "pods"}, or {@code "get" on "statefulsets" (API group "apps")}. */
    public String rbacRule() {
        return "\"" + verb + "\" on \"" + resource + "\"" + (apiGroup.isEmpty() ? "" : " (API group \"" + apiGroup + "\")");
    }
}
