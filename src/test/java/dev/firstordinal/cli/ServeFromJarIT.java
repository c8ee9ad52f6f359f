package dev.firstordinal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.JarProcess;
import dev.firstordinal.testing.RawTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's run command (also in docs/testing.md): the packaged jar with no mounted certificate serves HTTPS with a self-signed localhost certificate. */
class ServeFromJarIT {

    @TempDir
    Path tempDir;

    @Test
    void servesMutateWithAGeneratedLocalhostCertificateWhenNoneIsMounted() throws Exception {
        String output = serveFirstOrdinalReview(List.of());
        assertThat(output).contains("self-signed", tempDir.resolve("tls").resolve("ca.crt").toString());
        assertThat(output).contains("TLS engine: BoringSSL (netty-tcnative)").doesNotContain("TLS engine: JDK");
        assertThat(output).as("no meter registered twice (Quarkus' vertx.http.connections.current per event loop)")
                .doesNotContain("has been already registered").doesNotContainPattern("WARN +\\[io\\.micrometer");
        assertThat(Files.getPosixFilePermissions(tempDir.resolve("tls").resolve("tls.key")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void servesMutateWithTheJdkTlsEngineWhenAskedTo() throws Exception {
        String output = serveFirstOrdinalReview(List.of("-Dfirst-ordinal.tls.engine=jdk"));
        assertThat(output).contains("TLS engine: JDK (first-ordinal.tls.engine=jdk)").doesNotContain("BoringSSL");
    }

    /**
     * The image's AOT-cache training step, as Dockerfile.jvm writes it (paths moved to this build): it must
     * exit by itself, write a cache, and that cache must load (-XX:AOTMode=on fails the start otherwise)
     * into a JVM that then serves.
     */
    @Test
    void dockerfileTrainingRunWritesAnAotCacheThatTheServerStartsWith() throws Exception {
        Path archive = tempDir.resolve("app.aot");
        List<String> training = dockerfileTrainingCommand(archive);
        Process run = new ProcessBuilder(training).redirectErrorStream(true)
                .redirectOutput(tempDir.resolve("training.log").toFile()).start();
        try {
            assertThat(run.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).as("the training run exits by itself").isTrue();
        } finally {
            run.destroyForcibly();
        }
        String log = Files.readString(tempDir.resolve("training.log"));
        assertThat(run.exitValue()).as(log).isZero();
        assertThat(log).contains("class-data training run");
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);

        String output = serveFirstOrdinalReview(List.of("-XX:AOTCache=" + archive, "-XX:AOTMode=on"));
        assertThat(output).doesNotContain("class-data training run");
    }

    private List<String> dockerfileTrainingCommand(Path archive) throws java.io.IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile.jvm"));
        java.util.regex.Matcher run = java.util.regex.Pattern.compile("(?m)^RUN (java (?:[^\\n]|\\\\\n)*?) &&").matcher(dockerfile);
        assertThat(run.find()).as("Dockerfile.jvm has a RUN java ... training step").isTrue();
        List<String> command = new java.util.ArrayList<>();
        for (String word : run.group(1).replace("\\\n", " ").trim().split("\\s+")) {
            command.add(word
                    .replace("/deployments/app.aot", archive.toString())
                    .replace("/deployments/quarkus-run.jar", JarProcess.JAR.toString())
                    .replace("/tmp/cds-training-tls", tempDir.resolve("training-tls").toString()));
        }
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(command).contains("-XX:AOTCacheOutput=" + archive, "-jar", JarProcess.JAR.toString());
        return command;
    }

    /** Starts the jar with no mounted certificate, posts the first-ordinal review over verified TLS, returns the jar's output. */
    private String serveFirstOrdinalReview(List<String> extraArguments) throws Exception {
        int httpsPort = JarProcess.freePort();
        int managementPort = JarProcess.freePort();
        Path tlsDir = tempDir.resolve("tls");
        List<String> arguments = new java.util.ArrayList<>(JarProcess.selfSigned(tempDir, tlsDir, httpsPort, managementPort));
        arguments.addAll(extraArguments);
        try (JarProcess jar = JarProcess.start(arguments)) {
            jar.awaitReady(managementPort, Duration.ofSeconds(60));

            HttpClient client = HttpClient.newBuilder().sslContext(RawTls.trusting(tlsDir.resolve("ca.crt"))).build();
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/mutate"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Fixtures.reviewBytes("first-ordinal-redis")))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode review = Fixtures.tree(response.body());
            assertThat(review.at("/response/allowed").asBoolean()).isTrue();
            assertThat(review.at("/response/patchType").asText()).isEqualTo("JSONPatch");
            return jar.output();
        }
    }

    /**
     * Issue 30 #10: the README's run command on a machine with no cluster logged stack traces every
     * few seconds (the StatefulSet cache and the coverage gauges retrying). Now one line says it runs
     * without StatefulSet facts, and nothing else complains.
     */
    @Test
    void withoutAnyClusterItSaysSoOnceAndLogsNoStackTraces() throws Exception {
        int https = JarProcess.freePort();
        int management = JarProcess.freePort();
        List<String> options = new java.util.ArrayList<>(JarProcess.selfSigned(tempDir, tempDir.resolve("tls"), https, management));
        options.add("-Duser.home=" + tempDir);                        // no ~/.kube/config
        options.add("-Dfirst-ordinal.coverage.initial-delay=1s");     // its first run inside the wait below
        try (JarProcess jar = JarProcess.start(java.util.Map.of("KUBECONFIG", "", "KUBERNETES_SERVICE_HOST", "", "KUBERNETES_MASTER", ""),
                options)) {
            jar.awaitReady(management, Duration.ofSeconds(60));
            Thread.sleep(6_000); // the cache's and the coverage's first retries came within seconds
            String output = jar.output();
            assertThat(output).containsOnlyOnce("first-ordinal: no Kubernetes cluster configured")
                    .contains("running without StatefulSet facts (every set starts at ordinal 0), without coverage gauges and without self-repair")
                    .doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at ").doesNotContain("ERROR");
            assertThat(output.lines().filter(l -> l.contains(" WARN "))).as("the one line above says the cache is off: no WARN repeats it")
                    .isEmpty();
            assertThat(output).doesNotContain("StatefulSet cache disabled").doesNotContain("coverage metrics disabled")
                    .doesNotContain("repair disabled");
        }
    }

    /** Turned off by the user, with a cluster configured: the cache's WARN says so, once. */
    @Test
    void aCacheTurnedOffByTheUserIsWarnedAboutOnce() throws Exception {
        int https = JarProcess.freePort();
        int management = JarProcess.freePort();
        Path kubeconfig = tempDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]
                current-context: c
                """);
        List<String> options = new java.util.ArrayList<>(JarProcess.selfSigned(tempDir, tempDir.resolve("tls"), https, management));
        options.addAll(List.of("-Dfirst-ordinal.statefulset-cache.enabled=false", "-Dfirst-ordinal.coverage.enabled=false",
                "-Dfirst-ordinal.repair.enabled=false"));
        try (JarProcess jar = JarProcess.start(java.util.Map.of("KUBECONFIG", kubeconfig.toString()), options)) {
            jar.awaitReady(management, Duration.ofSeconds(60));
            assertThat(jar.output()).containsOnlyOnce("StatefulSet cache disabled")
                    .doesNotContain("no Kubernetes cluster configured");
        }
    }

    @Test
    void refusesToStartWithoutCertificateWhenTheFallbackIsOff() throws Exception {
        try (JarProcess jar = JarProcess.start(List.of(
                "-Dfirst-ordinal.tls.cert-file=" + tempDir.resolve("absent.crt"),
                "-Dfirst-ordinal.tls.key-file=" + tempDir.resolve("absent.key"),
                "-Dfirst-ordinal.tls.self-signed-fallback=false"))) {
            assertThat(jar.waitFor(30)).isEqualTo(1);
            assertThat(jar.output()).contains("no TLS certificate at").contains("self-signed fallback is off");
        }
    }

    @Test
    void answersAnUnknownCommandWithExitCode2() throws Exception {
        try (JarProcess jar = JarProcess.start(List.of(), "frobnicate")) {
            assertThat(jar.waitFor(30)).isEqualTo(2);
            assertThat(jar.output()).contains("unknown command 'frobnicate'").doesNotContain("Listening on");
        }
    }
}
