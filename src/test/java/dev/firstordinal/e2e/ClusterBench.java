package dev.firstordinal.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the benches on a real control plane share (bench/apiserver.sh, bench/scale.sh; not tests): a
 * control plane of their own with first-ordinal installed, a report written to a file and stdout, and
 * an exit that stops both either way.
 */
final class ClusterBench {

    /** A bench's work on its cluster: the webhook is installed, not started; returns the report (Markdown). */
    interface Body {
        String run(ControlPlane cluster, ClusterWebhook webhook) throws Exception;
    }

    private ClusterBench() {
    }

    /**
     * Starts a control plane of its own under {@code target/e2e/<name>}, installs the webhook on it, runs
     * {@code body}, writes its report to {@code out} and stdout, and exits: 0, or 1 with the stack trace.
     * The shutdown hooks stop the webhook and the control plane even when the run failed.
     */
    static void main(String name, Path out, Body body) {
        try {
            ControlPlane cluster = ControlPlane.start(name);
            ClusterWebhook webhook = ClusterWebhook.install(cluster);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    webhook.close();
                } catch (Exception ignored) {
                    // exiting
                }
            }));
            String report = body.run(cluster, webhook);
            write(out, report);
            System.out.print(report);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    static void write(Path out, String text) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text);
    }

    static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }
}
