package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firstordinal.ordinal.FirstOrdinalRule;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The coverage of every StatefulSet in the audited namespaces, and its two renderings: a table
 * for people and JSON for tools.
 */
public record CoverageReport(List<String> namespaces, List<ShardCoverage> statefulSets) {

    static final List<String> COLUMNS = List.of("NAMESPACE", "STATEFULSET", "FIRST POD", "LABEL", "HOOK", "CONTAINER",
            "ALSO LABELLED", "PVCS", "STATE");

    public CoverageReport {
        namespaces = List.copyOf(namespaces);
        statefulSets = List.copyOf(statefulSets);
    }

    public static CoverageReport of(List<String> namespaces, List<ShardSnapshot> snapshots, FirstOrdinalRule rule) {
        return new CoverageReport(namespaces, snapshots.stream().map(s -> CoverageCheck.of(s, rule)).toList());
    }

    /** How many StatefulSets are in each state, every state present (0 when none). */
    public Map<CoverageState, Integer> counts() {
        Map<CoverageState, Integer> counts = zeroCounts();
        statefulSets.forEach(s -> counts.merge(s.state(), 1, Integer::sum));
        return counts;
    }

    /** Every state with count 0, to add to. */
    static Map<CoverageState, Integer> zeroCounts() {
        Map<CoverageState, Integer> counts = new EnumMap<>(CoverageState.class);
        for (CoverageState state : CoverageState.values()) {
            counts.put(state, 0);
        }
        return counts;
    }

    /** Whether any StatefulSet is uncovered, overcovered or stale: the audit's exit code is then 1. */
    public boolean hasProblems() {
        return statefulSets.stream().anyMatch(s -> s.state().isProblem());
    }

    /** {@code 3 StatefulSets in namespace shop: 1 covered, 1 uncovered, 1 overcovered}. */
    public String summary() {
        return summary(counts(), namespaces);
    }

    /** The {@link #summary()} of these counts (every state present) over these namespaces. */
    static String summary(Map<CoverageState, Integer> counts, List<String> namespaces) {
        int sets = counts.values().stream().mapToInt(Integer::intValue).sum();
        String where = namespaces.size() == 1 ? "namespace " + namespaces.get(0) : namespaces.size() + " namespaces";
        StringBuilder out = new StringBuilder()
                .append(sets).append(sets == 1 ? " StatefulSet" : " StatefulSets")
                .append(" in ").append(where).append(": ")
                .append(counts.get(CoverageState.COVERED)).append(" covered, ")
                .append(counts.get(CoverageState.UNCOVERED)).append(" uncovered, ")
                .append(counts.get(CoverageState.OVERCOVERED)).append(" overcovered");
        if (counts.get(CoverageState.STALE) > 0) {
            out.append(", ").append(counts.get(CoverageState.STALE)).append(" stale");
        }
        if (counts.get(CoverageState.SKIPPED) > 0) {
            out.append(", ").append(counts.get(CoverageState.SKIPPED)).append(" skipped");
        }
        return out.toString();
    }

    /** One row per StatefulSet, then the problems, then the summary line. */
    public String table() {
        StringBuilder out = new StringBuilder();
        if (!statefulSets.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(COLUMNS);
            statefulSets.forEach(s -> rows.add(row(s)));
            out.append(Table.render(rows));
            List<String> problems = new ArrayList<>();
            for (ShardCoverage s : statefulSets) {
                s.problems().forEach(p -> problems.add("  " + s.namespace() + "/" + s.statefulSet() + ": " + p));
            }
            if (!problems.isEmpty()) {
                out.append("\nProblems:\n");
                problems.forEach(p -> out.append(p).append('\n'));
            }
            List<String> leftAlone = statefulSets.stream().filter(s -> s.leftAlone() != null)
                    .map(s -> "  " + s.namespace() + "/" + s.statefulSet() + ": " + s.leftAlone()).toList();
            if (!leftAlone.isEmpty()) {
                out.append("\nLeft alone:\n");
                leftAlone.forEach(p -> out.append(p).append('\n'));
            }
            out.append('\n');
        }
        return out.append(summary()).append('\n').toString();
    }

    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.set("namespaces", mapper.valueToTree(namespaces));
        ObjectNode summary = root.putObject("summary");
        summary.put("statefulSets", statefulSets.size());
        counts().forEach((state, count) -> summary.put(state.label(), count));
        root.set("statefulSets", mapper.valueToTree(statefulSets));
        return root;
    }

    private static List<String> row(ShardCoverage s) {
        boolean pod = s.firstPodFound();
        return List.of(
                s.namespace(),
                s.statefulSet(),
                pod ? s.firstPod() : s.firstPod() + " (missing)",
                !pod ? "-" : s.backupLabel() == null ? "none" : s.backupLabel(),
                !pod ? "-" : !s.hook() ? "no" : s.state() == CoverageState.STALE ? "stale" : "yes",
                s.hookContainer() == null ? "-" : s.hookContainerFound() ? s.hookContainer() : s.hookContainer() + " (missing)",
                s.alsoLabelled().isEmpty() ? "-" : String.join(",", s.alsoLabelled()),
                s.claims().isEmpty() ? "-" : String.join(",", s.claims().stream()
                        .map(c -> c.found() ? c.name() : c.name() + " (missing)").toList()),
                s.state().label());
    }
}
