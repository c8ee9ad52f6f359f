package dev.firstordinal.e2e;

import dev.firstordinal.testing.JarProcess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A CLI mode of the packaged jar (audit, label-self, ...) run to completion against the real cluster. */
final class JarCommand {

    private JarCommand() {
    }

    static Command run(Path kubeconfig, Map<String, String> env, String... args) {
        return run(kubeconfig, env, List.of("-XX:TieredStopAtLevel=1"), args);
    }

    /** {@code audit -n <namespace> <args>} of a namespace opted in with {@link ClusterWorkloads#AUDIT_ONLY} alone. */
    static Command auditAlone(Path kubeconfig, String namespace, String... args) {
        List<String> argv = new ArrayList<>(List.of("audit", "-n", namespace, "--namespace-label", ClusterWorkloads.AUDIT_ONLY_LABEL));
        argv.addAll(List.of(args));
        return run(kubeconfig, Map.of(), argv.toArray(new String[0]));
    }

    /** The same with these JVM options instead of the default ones (e.g. the image's, {@code ImageJvm.flags()}). */
    static Command run(Path kubeconfig, Map<String, String> env, List<String> jvmOptions, String... args) {
        if (!JarProcess.JAR.toFile().isFile()) {
            throw new IllegalStateException(JarProcess.JAR + " is missing: run the real-cluster tests with 'mvn verify' (after package)");
        }
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-jar", JarProcess.JAR.toString()));
        argv.addAll(List.of(args));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("KUBECONFIG", kubeconfig.toString());
        return Command.run(argv, all, null, 120);
    }
}
