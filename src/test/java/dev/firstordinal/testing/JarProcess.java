package dev.firstordinal.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged jar ({@code target/quarkus-app/quarkus-run.jar}) as a user would, for *IT tests. */
public final class JarProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final Process process;
    private final Path output;

    private JarProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static JarProcess start(List<String> jvmOptions, String... args) throws IOException {
        return start(java.util.Map.of(), jvmOptions, args);
    }

    /** Starts the jar with extra environment variables (e.g. {@code KUBECONFIG}). */
    public static JarProcess start(java.util.Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        return start(JAR, env, jvmOptions, args);
    }

    /** Starts another build's jar (a benchmark's baseline) with extra environment variables. */
    public static JarProcess start(Path jar, java.util.Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the *IT tests with 'mvn verify' (after package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("first-ordinal-jar", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        return new JarProcess(process, output);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * The options that serve with a generated self-signed localhost certificate (CA at
     * {@code tlsDir/ca.crt}; nothing is mounted) on the given HTTPS and management ports.
     */
    public static List<String> selfSigned(Path tempDir, Path tlsDir, int httpsPort, int managementPort) {
        return List.of(
                "-Dfirst-ordinal.tls.cert-file=" + tempDir.resolve("absent.crt"),
                "-Dfirst-ordinal.tls.key-file=" + tempDir.resolve("absent.key"),
                "-Dfirst-ordinal.tls.self-signed-dir=" + tlsDir,
                "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dfirst-ordinal.admission.management-port=" + managementPort);
    }

    /** Waits until readiness on {@code managementPort} answers 200; fails with the output if the jar exits or it takes longer. */
    public void awaitReady(int managementPort, Duration timeout) throws InterruptedException {
        Readiness.awaitStatus(Readiness.ready(managementPort), 200, timeout, this::failIfExited, this::outputOrWhyNot);
    }

    private void failIfExited() {
        if (!process.isAlive()) {
            throw new AssertionError("the jar exited (" + process.exitValue() + "):\n" + outputOrWhyNot());
        }
    }

    /** The output, or why it cannot be read: for failure messages. */
    public String outputOrWhyNot() {
        try {
            return output();
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    public Process process() {
        return process;
    }

    public String output() throws IOException {
        return Files.readString(output);
    }

    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("jar still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
