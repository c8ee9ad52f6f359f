package dev.firstordinal.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** What audit --fix did or would do, as text lines or as JSON. */
final class BackfillReport {

    private BackfillReport() {
    }

    static void print(PrintStream out, Backfill.Plan plan, boolean dryRun, List<String> failures) {
        if (dryRun) {
            out.println("Dry run: nothing was changed. audit --fix would apply " + count(plan.fixes().size(), "patch", "patches") + ":");
        } else {
            out.println("Backfill: " + count(plan.fixes().size() - failures.size(), "pod", "pods") + " patched"
                    + (failures.isEmpty() ? "" : ", " + failures.size() + " failed") + ":");
        }
        for (PodFix fix : plan.fixes()) {
            String where = fix.namespace() + "/" + fix.pod();
            boolean failed = failures.stream().anyMatch(f -> f.startsWith(where + ": "));
            out.println("  " + (dryRun ? "would patch " : failed ? "FAILED " : "patched ") + where + ": " + fix.description());
            if (dryRun) {
                out.println("    " + fix.patch());
            }
            fix.warnings().forEach(w -> out.println("    warning: " + w));
        }
        failures.forEach(f -> out.println("  error: " + f));
        plan.kept().forEach(k -> out.println("  " + k));
        out.println();
    }

    static ObjectNode json(ObjectMapper json, Backfill.Plan plan, boolean dryRun, List<String> failures) {
        ObjectNode node = json.createObjectNode();
        node.put("dryRun", dryRun);
        ArrayNode fixes = node.putArray("fixes");
        for (PodFix fix : plan.fixes()) {
            String where = fix.namespace() + "/" + fix.pod();
            Optional<String> failure = failures.stream().filter(f -> f.startsWith(where + ": ")).findFirst();
            ObjectNode f = fixes.addObject()
                    .put("namespace", fix.namespace())
                    .put("pod", fix.pod())
                    .put("action", fix.action().name().toLowerCase(java.util.Locale.ROOT))
                    .put("description", fix.description())
                    .put("applied", !dryRun && failure.isEmpty());
            f.set("patch", fix.patch());
            f.put("error", failure.map(x -> x.substring(where.length() + 2)).orElse(null));
            f.set("warnings", json.valueToTree(fix.warnings()));
        }
        node.set("kept", json.valueToTree(plan.kept()));
        return node;
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
