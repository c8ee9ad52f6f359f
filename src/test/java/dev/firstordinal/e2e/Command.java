package dev.firstordinal.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one external command to completion with a time bound; its output is kept for the failure message. */
record Command(List<String> argv, int exitCode, String stdout, String stderr) {

    static Command run(List<String> argv, Map<String, String> env, String stdin, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("fo-e2e-cmd", ".out");
            Path err = Files.createTempFile("fo-e2e-cmd", ".err");
            ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + timeoutSeconds + " s; stderr: "
                        + Files.readString(err));
            }
            Command result = new Command(argv, process.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** This result, or an exception naming the command, its exit code and its stderr. */
    Command orThrow() {
        if (exitCode != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + exitCode + "): " + stderr.strip()
                    + (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip()));
        }
        return this;
    }
}
