package dev.firstordinal.policy;

import dev.firstordinal.json.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookContainer;
import dev.firstordinal.hook.HookMode;
import dev.firstordinal.hook.ScheduleHook;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.PodOrdinal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CEL of the MutatingAdmissionPolicy: {@link FirstOrdinalRule#decide} and
 * {@link HookContainer#choose} written as policy variables and one JSON patch, with the label and
 * hook annotations taken from the same {@link MarkingPolicy} the webhook uses (so the hook script
 * is {@code HookScript}'s, not a copy). Pure.
 *
 * <p>Where CEL differs from the webhook: it cannot warn (the webhook's warnings, e.g. "the hook runs
 * in the first container", are not given), and the start ordinal comes from the parameter ConfigMap
 * ({@link StartOrdinalParams}) instead of the StatefulSet itself.
 */
public final class PolicyCel {

    /** The image rule of {@link HookContainer}: the repository's last path element, without tag or digest, is redis or valkey. */
    static final String REDIS_IMAGE = "^([^@]*/)?(" + String.join("|", HookContainer.REDIS_NAMES) + ")(:[^@/]*)?(@.*)?$";
    /** {@link MarkingPolicy#isLabelValue}: empty, or {@link MarkingPolicy#NAME} (the length is checked beside it). */
    static final String LABEL_VALUE = "^(" + MarkingPolicy.NAME.pattern() + ")?$";
    /** {@link HookContainer#REDIS_NAMES} as a CEL list. */
    private static final String REDIS_NAMES = HookContainer.REDIS_NAMES.stream().map(n -> "'" + n + "'")
            .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    static final String DIGITS = "^[0-9]{1,10}$";
    static final String MAX_INT = "2147483647";

    private static final ObjectMapper JSON = Json.MAPPER;

    private final MarkingPolicy policy;

    public PolicyCel(MarkingPolicy policy) {
        this.policy = policy;
    }

    /** A match condition: the pod's controller is an apps/v1 StatefulSet (the webhook's own matchCondition). */
    public static String controlledByStatefulSet() {
        return "has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(o, has(o.controller) && o.controller"
                + " && o.kind == 'StatefulSet' && o.apiVersion == 'apps/v1')";
    }

    /** A match condition: the pod does not carry the skip annotation. */
    public static String notSkipped() {
        return "object.metadata.?annotations[?" + quote(FirstOrdinalRule.SKIP_ANNOTATION) + "].orValue('') != 'true'";
    }

    /**
     * A match condition: the pod carries none of the replica tier's labels (see
     * {@link dev.firstordinal.ordinal.ReplicaTier}); empty when the policy has no replica tier.
     */
    public java.util.Optional<String> notReplicaTier() {
        List<String> terms = policy.replicaTier().labels().stream()
                .map(l -> "object.metadata.?labels[?" + quote(l.key()) + "].orValue('') != " + quote(l.value()))
                .toList();
        return terms.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(" && ", terms));
    }

    /** The policy's variables, in order (a variable may use the ones before it). */
    public Map<String, String> variables() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("labels", "object.metadata.?labels.orValue({})");
        v.put("annotations", "object.metadata.?annotations.orValue({})");
        v.put("podName", "object.metadata.?name.orValue('')");
        v.put("owners", "object.metadata.?ownerReferences.orValue([]).filter(o, o.?controller.orValue(false)"
                + " && o.apiVersion == 'apps/v1' && o.kind == 'StatefulSet' && o.name != '').map(o, o.name)");
        v.put("ownerName", "size(variables.owners) > 0 ? variables.owners[0] : ''");
        v.put("podIndex", "variables.labels[?" + quote(PodOrdinal.POD_INDEX_LABEL) + "].orValue('')");
        v.put("nameSuffix", "variables.ownerName != '' && variables.podName.startsWith(variables.ownerName + '-')"
                + " ? variables.podName.substring(size(variables.ownerName) + 1) : ''");
        v.put("ordinal", number("variables.podIndex") + " : " + number("variables.nameSuffix") + " : -1");
        v.put("startEntry", "params == null || variables.ownerName == '' ? '' : params.?data.orValue({})[?request.namespace + '_'"
                + " + variables.ownerName].orValue('')");
        v.put("start", number("variables.startEntry") + " : 0");
        v.put("isFirst", "variables.ordinal >= 0 && variables.ordinal == variables.start");
        v.put("hasUserHook", "variables.annotations.exists(k, k.startsWith(" + quote(HookAnnotations.PREFIX) + "))");
        v.put("containers", "object.spec.?containers.orValue([]).filter(c, c.?name.orValue('') != '')");
        v.put("requestedContainer", "variables.annotations[?" + quote(HookContainer.ANNOTATION) + "].orValue('')");
        v.put("hookContainer", String.join("\n",
                "variables.requestedContainer != '' && variables.containers.exists(c, c.name == variables.requestedContainer)",
                "  ? variables.requestedContainer",
                ": variables.containers.exists(c, c.name in " + REDIS_NAMES + ")",
                "  ? variables.containers.filter(c, c.name in " + REDIS_NAMES + ")[0].name",
                ": variables.containers.exists(c, c.?image.orValue('').matches(" + quote(REDIS_IMAGE) + "))",
                "  ? variables.containers.filter(c, c.?image.orValue('').matches(" + quote(REDIS_IMAGE) + "))[0].name",
                ": size(variables.containers) > 0 ? variables.containers[0].name : ''"));
        v.put("scheduleOverride", "variables.annotations[?" + quote(FirstOrdinalRule.SCHEDULE_ANNOTATION) + "]");
        v.put("labelValue", "variables.scheduleOverride.hasValue() && size(variables.scheduleOverride.value()) <= 63"
                + " && variables.scheduleOverride.value().matches(" + quote(LABEL_VALUE) + ")"
                + " ? variables.scheduleOverride.value() : " + quote(policy.labelValue()));
        if (policy.hook().mode() == HookMode.ANNOTATIONS) {
            v.put("hookCommand", quote(policy.hook().command()));
        }
        return v;
    }

    /**
     * The JSON patch: nothing unless the pod is its set's first ordinal; then the backup label unless
     * the pod has that key, and the hook unless the pod has any hook annotation of its own (or no named
     * container): in annotations mode the hook annotations, a map the pod lacks added whole, as the webhook's
     * patch does; in schedule mode the label {@value ScheduleHook#CONTAINER_LABEL} (added after the backup
     * label's op, so the labels map exists by then).
     */
    public String jsonPatch() {
        String label = quote(policy.labelKey());
        String labels = String.join("\n",
                "!variables.isFirst ? [] :",
                "(variables.labels[?" + label + "].hasValue() ? [] : has(object.metadata.labels)",
                "  ? [" + add("/metadata/labels/" + pointerToken(policy.labelKey()), "variables.labelValue") + "]",
                "  : [" + add("/metadata/labels", "{" + label + ": variables.labelValue}") + "])");
        if (policy.hook().mode() == HookMode.SCHEDULE) {
            return String.join("\n", labels,
                    "+ (variables.hasUserHook || variables.hookContainer == ''"
                            + " || variables.labels[?" + quote(ScheduleHook.CONTAINER_LABEL) + "].hasValue() ? []",
                    "  : [" + add("/metadata/labels/" + pointerToken(ScheduleHook.CONTAINER_LABEL), "variables.hookContainer") + "])");
        }
        Map<String, String> hook = policy.hook().forContainer("@");
        StringBuilder each = new StringBuilder();
        StringBuilder whole = new StringBuilder();
        for (String key : hook.keySet()) {
            String value = switch (key) {
                case HookAnnotations.CONTAINER -> "variables.hookContainer";
                case HookAnnotations.COMMAND -> "variables.hookCommand";
                default -> quote(hook.get(key));
            };
            each.append(each.isEmpty() ? "" : ",\n     ").append(add("/metadata/annotations/" + pointerToken(key), value));
            // A CEL map literal's values must share one type: the variables are dyn, the literals strings.
            String typed = value.startsWith("variables.") ? "string(" + value + ")" : value;
            whole.append(whole.isEmpty() ? "" : ", ").append(quote(key)).append(": ").append(typed);
        }
        return String.join("\n", labels,
                "+ (variables.hasUserHook || variables.hookContainer == '' ? [] : has(object.metadata.annotations)",
                "  ? [" + each + "]",
                "  : [" + add("/metadata/annotations", "{" + whole + "}") + "])");
    }

    /** {@code text} as a number when it is one ({@link PodOrdinal}'s rule): the start of a conditional. */
    private static String number(String text) {
        return text + ".matches('" + DIGITS + "') && int(" + text + ") <= " + MAX_INT + " ? int(" + text + ")";
    }

    private static String add(String path, String value) {
        return "JSONPatch{op: 'add', path: " + quote(path) + ", value: " + value + "}";
    }

    /** RFC 6901: {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    static String pointerToken(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** A CEL string literal: JSON's escapes are CEL's. */
    static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

}
