package dev.firstordinal.preview;

import dev.firstordinal.cluster.StatefulSets;
import dev.firstordinal.hook.HookAnnotations;
import dev.firstordinal.hook.HookScript;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

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
        for (StatefulSet set : input.statefulSets()) {
            marked += render(set, rule, fullHook, out);
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

    /** Renders one StatefulSet; returns how many of its pods are marked. */
    private static int render(StatefulSet set, FirstOrdinalRule rule, boolean fullHook, StringBuilder out) {
        int start = StatefulSets.startOrdinal(set);
        int replicas = StatefulSets.replicas(set);
        String namespace = set.getMetadata().getNamespace();
        out.append("StatefulSet ").append(namespace == null ? "" : namespace + "/").append(set.getMetadata().getName())
                .append(": ").append(replicas).append(replicas == 1 ? " replica" : " replicas");
        if (replicas == 0) {
            out.append(", no pods\n");
            return 0;
        }
        out.append(", ordinals ").append(start).append("..").append(start + replicas - 1)
                .append(", first ordinal ").append(start).append('\n');
        StartOrdinalLookup fromYaml = (ns, name) -> StartOrdinalLookup.StartOrdinal.of(start);
        int marked = 0;
        int shown = Math.min(replicas, MAX_PODS_SHOWN);
        for (int ordinal = start; ordinal < start + shown; ordinal++) {
            String pod = StatefulSets.podName(set, ordinal);
            Decision decision = rule.decide(StatefulSets.podAt(set, ordinal), namespace, fromYaml);
            switch (decision.verdict()) {
                case FIRST_ORDINAL -> {
                    marked++;
                    out.append("  ").append(pod).append("  marked for backup, gets:\n");
                    decision.labelsToAdd().forEach((k, v) -> out.append("    label       ").append(k).append('=').append(v).append('\n'));
                    decision.annotationsToAdd().forEach((k, v) -> out.append("    annotation  ").append(k).append('=')
                            .append(!fullHook && k.equals(HookAnnotations.COMMAND) && HookScript.isOurs(v) ? hookSummary(v) : v).append('\n'));
                    if (!decision.changesPod()) {
                        out.append("    nothing: the template already has the backup label and a hook\n");
                    }
                }
                case OTHER_ORDINAL -> out.append("  ").append(pod).append("  not marked: not the first ordinal\n");
                case NOT_OURS -> out.append("  ").append(pod).append("  left alone: ").append(decision.reason()).append('\n');
            }
            decision.warnings().forEach(w -> out.append("    warning     ").append(w).append('\n'));
        }
        if (replicas > shown) {
            out.append("  … ").append(replicas - shown).append(" more pods (ordinals ").append(start + shown).append("..")
                    .append(start + replicas - 1).append(") not shown\n");
        }
        return marked;
    }
}
