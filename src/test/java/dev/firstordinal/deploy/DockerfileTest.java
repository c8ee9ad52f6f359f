package dev.firstordinal.deploy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Dockerfile.jvm (no Docker engine here: it is read, not built) agrees with the fast-jar layout and the Deployment. */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile.jvm");
    private static final String TEXT = DeployTree.read(DOCKERFILE);
    private static final List<String> INSTRUCTIONS = instructions(TEXT);

    /** The flags run-java.sh of the UBI OpenJDK images puts before JAVA_OPTS_APPEND (GC_CONTAINER_OPTIONS replaces the collector). */
    private static final List<String> RUN_JAVA_DEFAULTS = List.of(
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90",
            "-XX:+ExitOnOutOfMemoryError");

    @Test
    void runsTheQuarkusFastJarOnUbiOpenJdk25AsANonRootUser() {
        assertThat(INSTRUCTIONS).anyMatch(i -> i.matches("ARG BASE_IMAGE=ubi9/openjdk-25-runtime:[0-9.]+"));
        assertThat(INSTRUCTIONS).contains("FROM ${BASE_IMAGE}");
        assertThat(INSTRUCTIONS).contains(
                "COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/",
                "COPY --chown=185 target/quarkus-app/*.jar /deployments/",
                "COPY --chown=185 target/quarkus-app/app/ /deployments/app/",
                "COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/");
        assertThat(env()).containsEntry("JAVA_APP_JAR", "/deployments/quarkus-run.jar");
        assertThat(INSTRUCTIONS).contains("USER 185");
        assertThat(INSTRUCTIONS.indexOf("USER 185")).as("USER after the COPYs").isGreaterThan(lastIndexStartingWith("COPY"));
    }

    @Test
    void userAndPortsMatchTheDeployment() {
        Deployment deployment = KubernetesYaml.only(KubernetesYaml.objects(DeployTree.BASE.resolve("deployment.yaml")), Deployment.class);

        assertThat(INSTRUCTIONS).contains("EXPOSE 8443 9000");
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser()).isEqualTo(185L);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(ContainerPort::getContainerPort).containsExactlyInAnyOrder(8443, 9000);
        assertThat(INSTRUCTIONS).contains("CMD [ \"serve\" ]");
    }

    @Test
    void shipsTheChosenJvmFlagsAndOneGarbageCollector() {
        Map<String, String> env = env();

        assertThat(env.get("JAVA_OPTS_APPEND").split(" ")).containsExactly(
                "-XX:+UseSerialGC", "-Xms16m", "-Xmx96m", "-Xmn8m", "-Xss512k", "-XX:TieredStopAtLevel=1",
                "-XX:AOTCache=/deployments/app.aot", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        assertThat(env).containsEntry("GC_CONTAINER_OPTIONS", "-XX:+UseSerialGC").containsEntry("JAVA_MAX_MEM_RATIO", "0")
                .containsEntry("MALLOC_ARENA_MAX", "2");
    }

    /** ServeFromJarIT runs this very command (paths moved) and starts a server on its AOT cache. */
    @Test
    void trainsTheAotCacheTheJvmFlagsNameAfterTheApplicationIsCopied() {
        int training = lastIndexStartingWith("RUN java ");
        assertThat(training).as("a RUN java ... training step").isGreaterThan(lastIndexStartingWith("COPY"));
        assertThat(INSTRUCTIONS.indexOf("USER 185")).as("trained as the user that runs the image").isLessThan(training);
        String run = TEXT.substring(TEXT.indexOf("RUN java "), TEXT.indexOf("ENV GC_CONTAINER_OPTIONS"));
        assertThat(run).contains("-XX:AOTCacheOutput=/deployments/app.aot", "-Dfirst-ordinal.exit-after-start=true",
                "-jar /deployments/quarkus-run.jar serve", "&& test -s /deployments/app.aot");
        assertThat(env().get("JAVA_OPTS_APPEND")).contains("-XX:AOTCache=/deployments/app.aot");
    }

    @Test
    void jvmStartsWithTheFlagsAsRunJavaComposesThem() throws IOException, InterruptedException {
        Map<String, String> env = env();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add(env.get("GC_CONTAINER_OPTIONS"));
        command.addAll(RUN_JAVA_DEFAULTS);
        command.addAll(Arrays.asList(env.get("JAVA_OPTS_APPEND").split(" ")));
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));

        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(java.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("bool UseSerialGC\\s+= true").containsPattern("size_t MaxHeapSize\\s+= 100663296");
    }

    @Test
    void aSecondCollectorWouldStopTheJvmFromStarting() throws IOException, InterruptedException {
        // Why GC_CONTAINER_OPTIONS is set: run-java.sh's default collector plus ours.
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "-XX:+UseSerialGC", "-version").redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(java.exitValue()).isNotZero();
        assertThat(out).contains("Multiple garbage collectors selected");
    }

    @Test
    void dockerignoreSendsOnlyTheBuiltApplication() {
        assertThat(DeployTree.read(Path.of(".dockerignore")).lines().toList()).containsExactly("*", "!target/quarkus-app/");
    }

    private static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        Pattern assignment = Pattern.compile("ENV (\\w+)=\"([^\"]*)\"");
        for (String instruction : INSTRUCTIONS) {
            Matcher m = assignment.matcher(instruction);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        return env;
    }

    private static int lastIndexStartingWith(String prefix) {
        for (int i = INSTRUCTIONS.size() - 1; i >= 0; i--) {
            if (INSTRUCTIONS.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> instructions(String dockerfile) {
        return dockerfile.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
