package dev.firstordinal.hook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.firstordinal.ordinal.Decision;
import dev.firstordinal.ordinal.FirstOrdinalRule;
import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.ordinal.StartOrdinalLookup;
import dev.firstordinal.patch.PodPatch;
import dev.firstordinal.testing.ApiServerPatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the hook exactly as Velero would: the argv is the JSON array in the
 * {@code pre.hook.backup.velero.io/command} annotation of a first-ordinal pod after the webhook's
 * patch is applied, and the environment is a container's: only {@code PATH}, {@code HOSTNAME} and the variables a
 * test sets.
 */
final class HookProcess {

    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** HOSTNAME, which a container runtime sets to the pod's name: the hook names its pod by it. */
    static final String HOSTNAME = "redis-shard-0-0";
    /** What the hook appends to the line it ends with. */
    static final String IN_POD = "; pod " + HOSTNAME;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the script is started: Velero's argv as is ({@code /bin/sh}, dash on Debian), or with
     * busybox's sh (Alpine-based images) or bash in place of /bin/sh.
     */
    enum Shell {
        SH, BUSYBOX, BASH;

        List<String> apply(List<String> argv) {
            if (this == SH) {
                return argv;
            }
            assertThat(argv.get(0)).isEqualTo("/bin/sh");
            List<String> replaced = new ArrayList<>(this == BUSYBOX
                    ? List.of(RedisServer.onPath("busybox", RedisServer.BUSYBOX).toString(), "sh")
                    : List.of(RedisServer.onPath("bash", "the hook must also run under bash").toString()));
            replaced.addAll(argv.subList(1, argv.size()));
            return replaced;
        }
    }

    record Result(int exit, String stdout, String stderr, Duration elapsed) {

        /** The one stderr line, asserting there is exactly one and that it carries the hook's prefix. */
        String failureLine() {
            assertThat(exit).as("exit code; stdout: %s; stderr: %s", stdout, stderr).isNotZero();
            List<String> lines = stderr.lines().toList();
            assertThat(lines).as("stderr").hasSize(1);
            assertThat(lines.get(0)).startsWith("first-ordinal hook: ");
            return lines.get(0);
        }

        /** The one stdout line of a successful run. */
        String successLine() {
            assertThat(exit).as("exit code; stdout: %s; stderr: %s", stdout, stderr).isZero();
            assertThat(stderr).as("stderr").isEmpty();
            List<String> lines = stdout.lines().toList();
            assertThat(lines).as("stdout").hasSize(1);
            return lines.get(0);
        }
    }

    private HookProcess() {
    }

    /**
     * The argv Velero would run for a first-ordinal pod marked with this hook timeout: decided by
     * the webhook's rule, patched the way the API server applies it, read back from the annotation
     * and parsed as Velero does (a value starting with {@code [} is a JSON array of strings).
     */
    static List<String> argvFromAnnotation(String veleroTimeout) {
        MarkingPolicy policy = MarkingPolicy.of(MarkingPolicy.DEFAULT_LABEL_KEY, MarkingPolicy.DEFAULT_LABEL_VALUE, "Fail", veleroTimeout);
        Pod pod = new PodBuilder()
                .withNewMetadata().withName("redis-shard-0-0").withNamespace("redis")
                .addToLabels("app", "redis-shard-0")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName("redis-shard-0")
                .withUid("0d4f5d3c-0000-4000-8000-000000000000").withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.0").endContainer().endSpec()
                .build();
        Decision decision = new FirstOrdinalRule(policy).decide(pod, "redis", StartOrdinalLookup.ZERO);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FIRST_ORDINAL);
        ArrayNode patch = PodPatch.additions(pod.getMetadata(), decision.labelsToAdd(), decision.annotationsToAdd());
        JsonNode patched = ApiServerPatch.apply(patch, JSON.valueToTree(pod));
        String command = patched.at("/metadata/annotations").path(HookAnnotations.COMMAND).asText(null);
        assertThat(command).as("the %s annotation", HookAnnotations.COMMAND).isNotNull().startsWith("[");
        try {
            return JSON.readValue(command, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            return fail("the hook command annotation is not a JSON array of strings: " + command, e);
        }
    }

    /** Runs {@code argv} with a container-like environment: {@code PATH} plus {@code env}. */
    static Result run(List<String> argv, Map<String, String> env, Path workDir) {
        return run(argv, env, workDir, PATH);
    }

    static Result run(List<String> argv, Map<String, String> env, Path workDir, String path) {
        try {
            Path out = Files.createTempFile(workDir, "hook", ".out");
            Path err = Files.createTempFile(workDir, "hook", ".err");
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().put("PATH", path);
            builder.environment().put("HOSTNAME", HOSTNAME);
            builder.environment().putAll(env);
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(25, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                fail("the hook ran for more than 25 s; stdout: " + Files.readString(out) + "; stderr: " + Files.readString(err));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Result(process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8),
                    elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
