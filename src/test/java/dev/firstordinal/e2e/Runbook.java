package dev.firstordinal.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/velero/RESTORE.md}'s shell blocks, taken from the document and run as written by {@code sh -eu} with the
 * real kubectl (and velero) against a real API server, so that the runbook cannot drift from what the tests run.
 */
final class Runbook {

    static final Path RESTORE_MD = Path.of("deploy/velero/RESTORE.md");

    private Runbook() {
    }

    static String text() {
        try {
            return Files.readString(RESTORE_MD);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code ```sh} block after the line that starts with {@code heading}, without its fences. */
    static String block(String heading) {
        return shellBlockAfter(text(), heading);
    }

    static String shellBlockAfter(String markdown, String heading) {
        int at = markdown.indexOf("\n" + heading);
        assertThat(at).as("RESTORE.md has the heading %s", heading).isNotNegative();
        int open = markdown.indexOf("\n```sh\n", at);
        int close = markdown.indexOf("\n```\n", open + 1);
        assertThat(open).as("a sh block after %s", heading).isPositive();
        return markdown.substring(open + "\n```sh\n".length(), close + 1);
    }

    /** The variable names a block assigns at the start of its lines ({@code NAME=...}). */
    static List<String> assignments(String block) {
        return block.lines().filter(l -> l.matches("^[A-Z_]+=.*")).map(l -> l.replaceAll("=.*", "")).toList();
    }

    /**
     * Runs {@code blocks} in one {@code sh -eu}, after setting {@code variables} (the runbook's section 1 block, filled in
     * by the test), with kubectl, the directories in {@code path} and /usr/bin:/bin on PATH and the cluster's kubeconfig.
     */
    static Command run(ControlPlane cluster, Map<String, String> variables, List<Path> path, long timeoutSeconds, String... blocks) {
        StringBuilder script = new StringBuilder();
        variables.forEach((name, value) -> script.append(name).append("=\"").append(value).append("\"\n"));
        for (String block : blocks) {
            script.append(block);
        }
        List<String> dirs = new ArrayList<>();
        dirs.add(cluster.kubectlBinary().getParent().toString());
        path.forEach(p -> dirs.add(p.toString()));
        dirs.add("/usr/bin:/bin");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", String.join(":", dirs));
        env.put("KUBECONFIG", cluster.kubeconfig().toString());
        return Command.run(List.of("sh", "-eu", "-c", script.toString()), env, null, timeoutSeconds);
    }
}
