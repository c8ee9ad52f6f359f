package dev.firstordinal.preview;

import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookScript;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.ArrayList;
import java.util.List;

/**
 * What the webhook would do to the pods of StatefulSets that are not deployed yet. Pure. Each pod
 * ({@code <set>-<ordinal>} for ordinals {@code start … start+replicas-1}, built from the template
 * as the controller would, see {@link StatefulSets#podAt}) goes through
 * {@link FirstOrdinalRule#decide} with the start ordinal from the YAML.
 */
public final class Preview {

    /** Pods listed per StatefulSet; a typo in replicas must not print a million lines. */
    static final int MAX_PODS_SHOWN = 100;

    private Preview() {
    }

    /** As {@link #render(StatefulSetDocuments.Parsed, FirstOrdinalRule, boolean)}, the hook command summarised. */
    public static String render(StatefulSetDocuments.Parsed input, FirstOrdinalRule rule) {
        return render(input, rule, false);
    }

    /**
     * @param fullHook print first-ordinal's hook command whole (about 8 KB); otherwise its
     *                 {@link #hookSummary identity and size}
     */
    public static String render(StatefulSetDocuments.Parsed input, FirstOrdinalRule rule, boolean fullHook) {
        StringBuilder out = new StringBuilder();
        int marked = 0;
        for (SetPreview set : evaluate(input, rule)) {
            marked += set.marked();
            render(set, fullHook, out);
            out.append('\n');
        }
        out.append(input.statefulSets().size()).append(input.statefulSets().size() == 1 ? " StatefulSet, " : " StatefulSets, ")
                .append(marked).append(marked == 1 ? " pod marked for backup" : " pods marked for backup");
        if (!input.otherKinds().isEmpty()) {
            out.append("; other documents ignored (").append(String.join(", ", input.otherKinds())).append(')');
        }
        return out.append('\n').toString();
    }

    /**
     * The same facts as {@link #render} as a JSON tree, for {@code -o json|yaml}: each StatefulSet with
     * its pods' verdicts ({@code marked}, {@code not-first-ordinal}, {@code left-alone}), reasons, and the
     * exact labels and annotations a marked pod gets (the hook command whole); the number marked; the
     * kinds of the other documents.
     */
    public static ObjectNode json(StatefulSetDocuments.Parsed input, FirstOrdinalRule rule, ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode sets = root.putArray("statefulSets");
        int marked = 0;
        for (SetPreview set : evaluate(input, rule)) {
            marked += set.marked();
            ObjectNode node = sets.addObject();
            node.put("namespace", set.set().getMetadata().getNamespace());
            node.put("name", set.set().getMetadata().getName());
            node.put("replicas", set.replicas());
            node.put("firstOrdinal", set.start());
            ArrayNode pods = node.putArray("pods");
            for (PodPreview pod : set.pods()) {
                ObjectNode p = pods.addObject();
                p.put("name", pod.name());
                p.put("ordinal", pod.ordinal());
                Decision decision = pod.decision();
                p.put("verdict", switch (decision.verdict()) {
                    case FIRST_ORDINAL -> "marked";
                    case OTHER_ORDINAL -> "not-first-ordinal";
                    case NOT_OURS -> "left-alone";
                });
                if (decision.verdict() == Decision.Verdict.FIRST_ORDINAL) {
                    p.set("labels", mapper.valueToTree(new java.util.TreeMap<>(decision.labelsToAdd())));
                    p.set("annotations", mapper.valueToTree(decision.annotationsToAdd()));
                } else {
                    p.put("reason", reason(decision));
                }
                p.set("warnings", mapper.valueToTree(decision.warnings()));
            }
            node.put("podsNotShown", set.replicas() - set.pods().size());
        }
        root.put("marked", marked);
        root.set("ignoredKinds", mapper.valueToTree(input.otherKinds()));
        return root;
    }

    /** One pod a StatefulSet would create, and what the webhook would decide for it. */
    record PodPreview(String name, int ordinal, Decision decision) {
    }

    /** One StatefulSet: its first {@value #MAX_PODS_SHOWN} pods at most. */
    record SetPreview(StatefulSet set, int start, int replicas, List<PodPreview> pods) {
        int marked() {
            return (int) pods.stream().filter(p -> p.decision().verdict() == Decision.Verdict.FIRST_ORDINAL).count();
        }
    }

    /** Runs every pod of every StatefulSet through the rule, with the start ordinal from the YAML. */
    static List<SetPreview> evaluate(StatefulSetDocuments.Parsed input, FirstOrdinalRule rule) {
        List<SetPreview> sets = new ArrayList<>();
        for (StatefulSet set : input.statefulSets()) {
            int start = StatefulSets.startOrdinal(set);
            int replicas = StatefulSets.replicas(set);
            String namespace = set.getMetadata().getNamespace();
            StartOrdinalLookup fromYaml = (ns, name) -> StartOrdinalLookup.StartOrdinal.of(start);
            List<PodPreview> pods = new ArrayList<>();
            for (int ordinal = start; ordinal < start + Math.min(replicas, MAX_PODS_SHOWN); ordinal++) {
                pods.add(new PodPreview(StatefulSets.podName(set, ordinal), ordinal,
                        rule.decide(StatefulSets.podAt(set, ordinal), namespace, fromYaml)));
            }
            sets.add(new SetPreview(set, start, replicas, pods));
        }
        return sets;
    }

    private static String reason(Decision decision) {
        return decision.verdict() == Decision.Verdict.OTHER_ORDINAL ? "not the first ordinal" : decision.reason();
    }

    /**
     * first-ordinal's hook command in one short line: what it is, its size and a digest that
     * tells two versions apart, e.g. {@code ["/bin/sh","-c","<first-ordinal hook, 8176 bytes, sha256 1a2b3c4d5e6f>"]}.
     */
    public static String hookSummary(String command) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(command.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "[\"/bin/sh\",\"-c\",\"<first-ordinal hook, " + command.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + " bytes, sha256 " + java.util.HexFormat.of().formatHex(digest, 0, 6) + ">\"] (--show-hook prints it)";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Renders one StatefulSet as text. */
    private static void render(SetPreview preview, boolean fullHook, StringBuilder out) {
        StatefulSet set = preview.set();
        int start = preview.start();
        int replicas = preview.replicas();
        String namespace = set.getMetadata().getNamespace();
        out.append("StatefulSet ").append(namespace == null ? "" : namespace + "/").append(set.getMetadata().getName())
                .append(": ").append(replicas).append(replicas == 1 ? " replica" : " replicas");
        if (replicas == 0) {
            out.append(", no pods\n");
            return;
        }
        out.append(", ordinals ").append(start).append("..").append(start + replicas - 1)
                .append(", first ordinal ").append(start).append('\n');
        for (PodPreview pod : preview.pods()) {
            Decision decision = pod.decision();
            switch (decision.verdict()) {
                case FIRST_ORDINAL -> {
                    out.append("  ").append(pod.name()).append("  marked for backup, gets:\n");
                    decision.labelsToAdd().forEach((k, v) -> out.append("    label       ").append(k).append('=').append(v).append('\n'));
                    decision.annotationsToAdd().forEach((k, v) -> out.append("    annotation  ").append(k).append('=')
                            .append(!fullHook && k.equals(HookAnnotations.COMMAND) && HookScript.isOurs(v) ? hookSummary(v) : v).append('\n'));
                    if (!decision.changesPod()) {
                        out.append("    nothing: the template already has the backup label and a hook\n");
                    }
                }
                case OTHER_ORDINAL -> out.append("  ").append(pod.name()).append("  not marked: ").append(reason(decision)).append('\n');
                case NOT_OURS -> out.append("  ").append(pod.name()).append("  left alone: ").append(decision.reason()).append('\n');
            }
            decision.warnings().forEach(w -> out.append("    warning     ").append(w).append('\n'));
        }
        int shown = preview.pods().size();
        if (replicas > shown) {
            out.append("  … ").append(replicas - shown).append(" more pods (ordinals ").append(start + shown).append("..")
                    .append(start + replicas - 1).append(") not shown\n");
        }
    }
}
