package dev.firstordinal.preview;

import dev.firstordinal.ordinal.MarkingPolicy;
import dev.firstordinal.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code preview} against golden outputs in src/test/resources/preview: {@code <case>.yaml} in,
 * {@code <case>.txt} out, with {@value Fixtures#HOOK_COMMAND_PLACEHOLDER} standing for the hook
 * command's summary ({@link Preview#hookSummary}). A missing or different golden file leaves the actual output in target/preview-actual.
 */
class PreviewCommandTest {

    /** What preview prints for the hook command: its summary (the whole command with --show-hook). */
    private static final String HOOK_COMMAND = Preview.hookSummary(MarkingPolicy.defaults().hook().command());

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "start-ordinal", "non-redis", "bitnami"})
    void rendersTheGoldenOutput(String name) throws Exception {
        Run run = preview(InputStream.nullInputStream(), "-f", resource(name + ".yaml").toString());

        assertThat(run.err).isEmpty();
        assertThat(run.code).isZero();
        Path golden = resource(name + ".txt");
        String expected = Files.readString(golden).replace(Fixtures.HOOK_COMMAND_PLACEHOLDER, HOOK_COMMAND)
                .replace(Fixtures.HOOK_IDENTITY_PLACEHOLDER, MarkingPolicy.defaults().hook().identity());
        if (!run.out.equals(expected)) {
            Path actual = Path.of("target", "preview-actual", name + ".txt");
            Files.createDirectories(actual.getParent());
            Files.writeString(actual, run.out.replace(HOOK_COMMAND, Fixtures.HOOK_COMMAND_PLACEHOLDER)
                    .replace(MarkingPolicy.defaults().hook().identity(), Fixtures.HOOK_IDENTITY_PLACEHOLDER));
        }
        assertThat(run.out).isEqualTo(expected);
    }

    @Test
    void readsStandardInputWithDash() throws Exception {
        byte[] yaml = Files.readAllBytes(resource("start-ordinal.yaml"));

        Run run = preview(new ByteArrayInputStream(yaml), "-f", "-");

        assertThat(run.code).isZero();
        assertThat(run.out).contains("cache-3  marked for backup").contains("cache-4  not marked");
    }

    @Test
    void readsSeveralFilesAsOneStream() throws Exception {
        Run run = preview(InputStream.nullInputStream(), "-f", resource("plain.yaml").toString(), "-f", resource("non-redis.yaml").toString());

        assertThat(run.code).isZero();
        assertThat(run.out).endsWith("3 StatefulSets, 2 pods marked for backup; other documents ignored (ConfigMap, Service)\n");
    }

    @Test
    void listsAtMostAHundredPodsOfAStatefulSet() {
        String yaml = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: huge}
                spec:
                  replicas: 100000
                  template:
                    spec:
                      containers: [{name: redis, image: redis}]
                """;

        Run run = preview(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "-f", "-");

        assertThat(run.out.lines().filter(l -> l.startsWith("  huge-"))).hasSize(100);
        assertThat(run.out).contains("  … 99900 more pods (ordinals 100..99999) not shown\n");
    }

    @Test
    void rejectsInvalidYamlWithOneLineNamingTheLine() {
        Run run = preview(new ByteArrayInputStream("kind: StatefulSet\nmetadata: [unclosed\n".getBytes(StandardCharsets.UTF_8)), "-f", "-");

        assertThat(run.code).isEqualTo(PreviewCommand.BAD_INPUT);
        assertThat(run.out).isEmpty();
        assertThat(run.err).startsWith("first-ordinal preview: <stdin>: not valid YAML").contains("line ").hasLineCount(1);
    }

    @Test
    void rejectsAStatefulSetWithAFieldOfTheWrongType() {
        String yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: typo}\nspec: {replicas: three}\n";

        Run run = preview(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "-f", "-");

        assertThat(run.code).isEqualTo(PreviewCommand.BAD_INPUT);
        assertThat(run.err).startsWith("first-ordinal preview: <stdin>: StatefulSet 'typo' (document 1) is not valid: ").hasLineCount(1);
    }

    @Test
    void saysSoWhenThereIsNoStatefulSet() {
        String yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: redis}\n";

        Run run = preview(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "-f", "-");

        assertThat(run.code).isEqualTo(PreviewCommand.BAD_INPUT);
        assertThat(run.err).isEqualTo("first-ordinal preview: no apps/v1 StatefulSet in - (found Service)\n");
    }

    @Test
    void saysSoWhenTheFileDoesNotExist() {
        Run run = preview(InputStream.nullInputStream(), "-f", "no-such-dir/statefulset.yaml");

        assertThat(run.code).isEqualTo(PreviewCommand.BAD_INPUT);
        assertThat(run.err).isEqualTo("first-ordinal preview: no-such-dir/statefulset.yaml: no such file\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-f", "statefulset.yaml", "--output json", "-o xml -f -", "--hook-timeout 300"})
    void rejectsBadArgumentsWithOneLineAndAHintAndExitTwo(String arguments) {
        Run run = preview(InputStream.nullInputStream(), arguments.isEmpty() ? new String[0] : arguments.split(" "));

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).startsWith("first-ordinal preview: ").hasLineCount(2);
        assertThat(run.err.lines().toList().get(1)).isEqualTo("Try 'first-ordinal preview --help' for the options.");
    }

    @Test
    void documentsItsOptionsInHelp() {
        Run run = preview(InputStream.nullInputStream(), "--help");

        assertThat(run.code).isZero();
        assertThat(run.out).startsWith("Usage: first-ordinal preview").contains("-f, --filename=FILE")
                .contains("--label-key=KEY").contains("--label-value=VALUE").contains("--hook-on-error=MODE")
                .contains("--hook-timeout=DURATION").contains("FIRST_ORDINAL_LABEL_KEY").contains("-h, --help").contains("Exit codes");
        assertThat(run.err).isEmpty();
    }

    @Test
    void takesAnAtSignArgumentAsAFileNameNotAnArgumentFile() {
        Run run = preview(InputStream.nullInputStream(), "-f", "@no-such-list");

        assertThat(run.code).isEqualTo(PreviewCommand.BAD_INPUT);
        assertThat(run.err).isEqualTo("first-ordinal preview: @no-such-list: no such file\n");
    }

    @Test
    void usesTheMarkingOptions() throws Exception {
        Run run = preview(InputStream.nullInputStream(), "-f", resource("plain.yaml").toString(),
                "--label-key", "backup.example.com/tier", "--label-value", "gold", "--hook-timeout", "10m", "--hook-on-error", "Continue");

        assertThat(run.out).contains("    label       backup.example.com/tier=gold\n")
                .contains("    annotation  pre.hook.backup.velero.io/on-error=Continue\n")
                .contains("    annotation  pre.hook.backup.velero.io/timeout=10m\n");
    }

    @Test
    void marksBitnamisReplicaSetWhenTheReplicaTierRuleIsOff() throws Exception {
        Run run = preview(InputStream.nullInputStream(), "-f", resource("bitnami.yaml").toString(), "--replica-tier-labels", "none");

        assertThat(run.code).isZero();
        assertThat(run.out).contains("  cache-replicas-0  marked for backup").endsWith("3 StatefulSets, 3 pods marked for backup\n");
    }

    /** Issue 30 #8: -f DIR failed with java.io.IOException: Is a directory; kubectl reads the directory's files. */
    @Test
    void readsADirectorysYamlFilesAsKubectlDoes(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.copy(resource("plain.yaml"), dir.resolve("a.yaml"));
        Files.copy(resource("non-redis.yaml"), dir.resolve("b.yml"));
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");

        Run run = preview(InputStream.nullInputStream(), "-f", dir + "/");

        assertThat(run.err).isEmpty();
        assertThat(run.code).isZero();
        assertThat(run.out).endsWith("3 StatefulSets, 2 pods marked for backup; other documents ignored (ConfigMap, Service)\n");
    }

    /** Issue 30 #8: a StatefulSet of an old API version was reported as "found StatefulSet". */
    @Test
    void namesTheApiVersionOfAStatefulSetThatIsNotAppsV1() {
        String yaml = "apiVersion: apps/v1beta1\nkind: StatefulSet\nmetadata: {name: old}\nspec: {replicas: 1}\n";

        Run run = preview(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "-f", "-");

        assertThat(run.code).isEqualTo(PreviewCommand.BAD_INPUT);
        assertThat(run.err).isEqualTo("first-ordinal preview: no apps/v1 StatefulSet in - (found StatefulSet apps/v1beta1, not apps/v1)\n");
    }

    /** Issue 30 #9: the ~8 KB script for every marked pod buried the answer; its identity and size, the script on request. */
    @Test
    void summarisesTheHookCommandAndPrintsItWholeOnRequest() throws Exception {
        String command = MarkingPolicy.defaults().hook().command();

        Run summary = preview(InputStream.nullInputStream(), "-f", resource("plain.yaml").toString());
        Run whole = preview(InputStream.nullInputStream(), "-f", resource("plain.yaml").toString(), "--show-hook");

        assertThat(summary.out).doesNotContain(command).containsPattern("command=\\[\"/bin/sh\",\"-c\",\"<first-ordinal hook, "
                + command.length() + " bytes, sha256 [0-9a-f]{12}>\"] \\(--show-hook prints it\\)\n");
        assertThat(whole.out).contains("    annotation  pre.hook.backup.velero.io/command=" + command + "\n");
        assertThat(summary.out.length()).isLessThan(whole.out.length() - 7000);
    }

    /** Issue 30 #9: -o json and -o yaml as audit has them: the same facts as the text, for scripts. */
    @Test
    void printsJsonWithEveryPodsVerdictAndTheExactAdditions() throws Exception {
        Run run = preview(InputStream.nullInputStream(), "-f", resource("plain.yaml").toString(), "-o", "json");

        assertThat(run.err).isEmpty();
        assertThat(run.code).isZero();
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out);
        assertThat(root.at("/marked").asInt()).isEqualTo(1);
        assertThat(root.at("/ignoredKinds").toString()).isEqualTo("[\"ConfigMap\",\"Service\"]");
        com.fasterxml.jackson.databind.JsonNode set = root.at("/statefulSets/0");
        assertThat(set.at("/namespace").asText()).isEqualTo("shop");
        assertThat(set.at("/name").asText()).isEqualTo("redis-shard-0");
        assertThat(set.at("/replicas").asInt()).isEqualTo(3);
        assertThat(set.at("/firstOrdinal").asInt()).isZero();
        assertThat(set.at("/pods").size()).isEqualTo(3);
        assertThat(set.at("/pods/0/name").asText()).isEqualTo("redis-shard-0-0");
        assertThat(set.at("/pods/0/verdict").asText()).isEqualTo("marked");
        assertThat(set.at("/pods/0/labels/velero-backup-schedule").asText()).isEqualTo("redis");
        assertThat(set.at("/pods/0/annotations").get("pre.hook.backup.velero.io/command").asText())
                .as("the exact value the webhook adds").isEqualTo(MarkingPolicy.defaults().hook().command());
        assertThat(set.at("/pods/1/verdict").asText()).isEqualTo("not-first-ordinal");
        assertThat(set.at("/pods/1/reason").asText()).isEqualTo("not the first ordinal");
    }

    @Test
    void printsYamlWithTheSameFieldsAsJson() throws Exception {
        Run json = preview(InputStream.nullInputStream(), "-f", resource("bitnami.yaml").toString(), "-o", "json");
        Run yaml = preview(InputStream.nullInputStream(), "-f", resource("bitnami.yaml").toString(), "--output", "yaml");

        assertThat(yaml.code).isZero();
        assertThat(yaml.out).startsWith("---\n").contains("verdict: \"left-alone\"");
        assertThat(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml.out))
                .isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out));
    }

    private static Run preview(InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new PreviewCommand(stdin, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(PreviewCommandTest.class.getResource("/preview").toURI()).resolve(name);
    }

    private record Run(int code, String out, String err) {
    }
}
