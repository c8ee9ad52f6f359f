package dev.firstordinal.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher that {@code ./mvnw package} puts beside quarkus-app/, run as a user would. */
class LauncherIT {

    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path LAUNCHER = TARGET.resolve("first-ordinal");
    private static final Path PLUGIN = TARGET.resolve("kubectl-first_ordinal");
    private static final Path PLUGIN_COMPLETION = TARGET.resolve("kubectl_complete-first_ordinal");

    record Result(int code, String out, String err) {
    }

    private static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s: " + Files.readString(out) + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static Map<String, String> javaHome() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    @Test
    void bothFormsAreExecutable() {
        assertThat(LAUNCHER).isExecutable();
        assertThat(PLUGIN).isExecutable();
        assertThat(PLUGIN_COMPLETION).isExecutable();
    }

    @Test
    void versionPrintsTheProjectVersion() throws Exception {
        Result result = run(javaHome(), LAUNCHER.toString(), "--version");
        assertThat(result.code()).isZero();
        assertThat(result.out().strip()).matches("first-ordinal \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void commandHelpIsTheCommandsOwn() throws Exception {
        Result result = run(javaHome(), LAUNCHER.toString(), "audit", "--help");
        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("Usage: first-ordinal audit").contains("--all-namespaces");
    }

    @Test
    void usageErrorIsExitTwoWithOneLineSayingWhat() throws Exception {
        Result result = run(javaHome(), LAUNCHER.toString(), "bogus");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err().lines().findFirst().orElseThrow()).isEqualTo("first-ordinal: unknown command 'bogus'");
    }

    /** Issue 30 #5: a bare `kubectl first-ordinal` started the webhook, listening on every interface. */
    @Test
    void withoutArgumentsBothFormsPrintTheHelpAndStartNothing() throws Exception {
        for (Path form : List.of(LAUNCHER, PLUGIN)) {
            Result result = run(javaHome(), form.toString());
            assertThat(result.code()).as(form + ": " + result.err()).isZero();
            assertThat(result.out()).as(form.toString()).startsWith("Usage: first-ordinal [-hV] [COMMAND]").contains("serve");
            assertThat(result.err()).as(form.toString()).isEmpty();
        }
    }

    @Test
    void serveHelpIsHelpAndAnUnknownServeOptionExitsTwo() throws Exception {
        Result help = run(javaHome(), LAUNCHER.toString(), "serve", "--help");
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: first-ordinal serve");
        Result bogus = run(javaHome(), LAUNCHER.toString(), "serve", "--bogus");
        assertThat(bogus.code()).isEqualTo(2);
        assertThat(bogus.err().lines().toList()).containsExactly("first-ordinal serve: Unknown option: '--bogus'",
                "Try 'first-ordinal serve --help' for the options.");
        assertThat(bogus.out()).doesNotContain("Listening on");
    }

    @Test
    void javaOptsReachTheJvm() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(javaHome());
        env.put("JAVA_OPTS", "-Dfirst-ordinal.label.key=from-java-opts -Xmx64m");
        Path statefulSet = Files.createTempFile("sts", ".yaml");
        Files.writeString(statefulSet, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: redis, namespace: default}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: redis}}
                  template:
                    metadata: {labels: {app: redis}}
                    spec: {containers: [{name: redis, image: redis}]}
                """);
        Result result = run(env, LAUNCHER.toString(), "preview", "-f", statefulSet.toString());
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("from-java-opts");
    }

    @Test
    void kubectlRunsItAsThePluginFirstOrdinal() throws Exception {
        String kubectl = kubectl();
        Map<String, String> env = pluginsOnPath();
        Result result = run(env, kubectl, "first-ordinal", "--version");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out().strip()).startsWith("first-ordinal ");
        Result list = run(env, kubectl, "plugin", "list");
        assertThat(list.out()).contains("kubectl-first_ordinal");
    }

    /**
     * Issue 30 #9: {@code kubectl first-ordinal <TAB>} completed nothing. kubectl's own completion
     * ({@code kubectl __complete}, what its shell script calls) runs kubectl_complete-first_ordinal
     * from the PATH with the words after the plugin name, and passes on its candidates and directive.
     */
    @Test
    void kubectlCompletesThePluginsCommandsOptionsAndValues() throws Exception {
        String kubectl = kubectl();
        Map<String, String> env = pluginsOnPath();

        Result commands = run(env, kubectl, "__complete", "first-ordinal", "");
        assertThat(commands.code()).as(commands.err()).isZero();
        assertThat(commands.out().lines().map(l -> l.split("\t")[0]).toList())
                .contains("serve", "audit", "preview", "certs", "label-self", "policy", "version", "help").endsWith(":4")
                .doesNotContain(PluginCompletion.COMMAND);

        Result output = run(env, kubectl, "__complete", "first-ordinal", "audit", "-o", "");
        assertThat(output.out().lines().toList()).containsExactly("table", "json", "yaml", ":4");
        Result previewOutput = run(env, kubectl, "__complete", "first-ordinal", "preview", "--output=y");
        assertThat(previewOutput.out().lines().toList()).containsExactly("--output=yaml", ":4");
        Result keyType = run(env, kubectl, "__complete", "first-ordinal", "certs", "--out", "x", "--key-type", "");
        assertThat(keyType.out().lines().toList()).containsExactly("ec", "rsa", ":4");
        Result options = run(env, kubectl, "__complete", "first-ordinal", "audit", "--all");
        assertThat(options.out().lines().map(l -> l.split("\t")[0]).toList()).containsExactly("--all-namespaces", ":4");
        Result file = run(env, kubectl, "__complete", "first-ordinal", "preview", "-f", "");
        assertThat(file.out().lines().toList()).as("file names: the shell's own completion").containsExactly(":0");
    }

    /** kubectl from the PATH: the plugin tests need it, and fail without it. */
    private static String kubectl() {
        String kubectl = onPath("kubectl");
        assertThat(kubectl).as("kubectl on PATH (the kubectl plugin tests need it)").isNotNull();
        return kubectl;
    }

    /** The environment with target/ (the plugin and its completion) first on the PATH. */
    private static Map<String, String> pluginsOnPath() {
        Map<String, String> env = new java.util.HashMap<>(javaHome());
        env.put("PATH", TARGET + java.io.File.pathSeparator + System.getenv("PATH"));
        return env;
    }

    private static String onPath(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv("PATH").split(java.io.File.pathSeparator)));
        for (String dir : dirs) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
