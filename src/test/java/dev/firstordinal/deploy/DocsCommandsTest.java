package dev.firstordinal.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands written in README.md and docs/ work on this tree: every kustomization they apply builds (a
 * {@code my-cluster/kustomization.yaml} snippet too), every file and chart they name exists, and every
 * {@code first-ordinal <command> --option} names a command and options the code has.
 */
class DocsCommandsTest {

    private static final Pattern FENCE = Pattern.compile("(?ms)^```([a-z]*)\\n(.*?)^```");
    private static final Pattern KUSTOMIZE = Pattern.compile("kubectl (?:apply|delete) -k (\\S+)|kubectl kustomize (\\S+)");
    private static final Pattern FILE_ARG = Pattern.compile("kubectl apply -f (\\S+)|\\s-f (deploy/\\S+)|helm (?:install|upgrade) \\S+ (deploy/\\S+)");
    private static final Pattern LAUNCHER = Pattern.compile("(?m)(?:^|[\\s|$`(])first-ordinal ([a-z][a-z-]*)((?: [^\\n#|`]*)?)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z-]*|-[a-zA-Z](?=[\\s=]|$))");
    /** Outputs of {@code first-ordinal certs}: git-ignored, made by the user. */
    private static final Pattern GENERATED = Pattern.compile("(?:^|/)certs/out/");

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static List<String[]> codeBlocks() throws IOException {
        List<String[]> blocks = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher m = FENCE.matcher(Files.readString(doc));
            while (m.find()) {
                blocks.add(new String[] {doc.toString(), m.group(1), m.group(2)});
            }
        }
        return blocks;
    }

    private static String mainSources() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> {
                try {
                    all.append(Files.readString(p)).append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return all.toString();
    }

    /** A copy of deploy/ under {@code tmp/deploy}, with the certs command's output in the certs-command overlay. */
    private static Path copyOfTheTree(Path tmp) throws Exception {
        Path target = tmp.resolve("deploy");
        try (Stream<Path> files = Files.walk(DeployTree.ROOT)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(DeployTree.ROOT.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy);
                }
            }
        }
        KustomizationsTest.runCertsCommand(target.resolve("kubernetes/overlays/certs-command/certs/out"));
        return tmp;
    }

    @Test
    void everyDocumentedKustomizationBuilds(@TempDir Path tmp) throws Exception {
        Path repo = copyOfTheTree(tmp);
        Set<String> paths = new TreeSet<>();
        List<String> snippets = new ArrayList<>();
        for (String[] block : codeBlocks()) {
            Matcher m = KUSTOMIZE.matcher(block[2]);
            while (m.find()) {
                String path = m.group(1) != null ? m.group(1) : m.group(2);
                if (!path.contains("<")) {
                    paths.add(path);
                }
            }
            if (block[1].equals("yaml") && block[2].startsWith("# my-cluster/kustomization.yaml\n")) {
                snippets.add(block[2]);
            }
        }
        assertThat(paths).as("the install paths the README and docs/install.md give")
                .contains("deploy/kubernetes/overlays/self-managed", "deploy/kubernetes/overlays/cert-manager",
                        "deploy/kubernetes/overlays/certs-command", "deploy/labeller/example", "deploy/examples/redis-sentinel");
        for (String path : paths) {
            assertThat(Kustomize.build(repo.resolve(path))).as(path).contains("kind:");
        }
        assertThat(snippets).as("the my-cluster kustomizations in docs/install.md and docs/observability.md").hasSizeGreaterThanOrEqualTo(2);
        Path cluster = repo.resolve("my-cluster");
        Files.createDirectories(cluster);
        for (String snippet : snippets) {
            Files.writeString(cluster.resolve("kustomization.yaml"), snippet);
            assertThat(Kustomize.build(cluster)).as(snippet).contains("kind: MutatingWebhookConfiguration");
        }
    }

    @Test
    void everyDocumentedFileAndChartExists() throws IOException {
        Set<String> named = new LinkedHashSet<>();
        for (String[] block : codeBlocks()) {
            Matcher m = FILE_ARG.matcher(block[2]);
            while (m.find()) {
                for (int g = 1; g <= m.groupCount(); g++) {
                    if (m.group(g) != null) {
                        named.add(m.group(g));
                    }
                }
            }
        }
        assertThat(named).contains("deploy/velero/schedule.yaml", "deploy/helm/first-ordinal");
        for (String file : named) {
            if (file.contains("<") || file.equals("-") || GENERATED.matcher(file).find() || !file.contains("/")) {
                continue;
            }
            assertThat(Path.of(file)).as(file).exists();
        }
    }

    /** Every command of the jar, with its option names as picocli parses them (long and short). */
    private static Map<String, Set<String>> commandOptions() {
        Map<String, Set<String>> options = new java.util.TreeMap<>();
        for (String command : List.of("serve", "completion", "version", "help")) {
            options.put(command, Set.of("-h", "--help"));   // serve takes Quarkus properties, no options
        }
        for (dev.firstordinal.cli.CliCommand command : dev.firstordinal.cli.Commands.all()) {
            options.put(command.name(), picocli.CommandLine.Model.CommandSpec.forAnnotatedObject(command).optionsMap().keySet());
        }
        return options;
    }

    /** README.md, docs/*.md and the Markdown under deploy/ and certs/: every page a user reads commands from. */
    private static List<Path> allPages() throws IOException {
        List<Path> pages = new ArrayList<>(docs());
        for (String dir : List.of("deploy", "certs")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
            }
        }
        return pages;
    }

    @Test
    void everyDocumentedCommandLineUsesACommandAndOptionsTheCodeHas() throws IOException {
        Map<String, Set<String>> options = commandOptions();
        Set<String> commands = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        for (Path doc : allPages()) {
            Matcher line = LAUNCHER.matcher(Files.readString(doc));
            while (line.find()) {
                String command = line.group(1);
                if (!options.containsKey(command)) {
                    continue;   // prose such as "first-ordinal puts …"; command lines in code blocks: below
                }
                commands.add(command);
                Matcher option = OPTION.matcher(line.group(2));
                while (option.find()) {
                    if (!options.get(command).contains(option.group(1))) {
                        unknown.add(doc + ": first-ordinal " + command + " " + option.group(1));
                    }
                }
            }
        }
        assertThat(commands).contains("certs", "audit", "preview", "policy", "label-self", "completion", "version");
        assertThat(unknown).isEmpty();
    }

    /** A command line in a code block names a real command: a typo there is no prose. */
    @Test
    void everyCommandLineInACodeBlockNamesACommandTheJarHas() throws IOException {
        Set<String> commands = commandOptions().keySet();
        Pattern commandLine = Pattern.compile("(?m)^(?:\\$ |.*\\| *)?(?:kubectl )?first-ordinal ([a-z][a-z-]*)");
        List<String> unknown = new ArrayList<>();
        int seen = 0;
        for (Path doc : allPages()) {
            Matcher block = FENCE.matcher(Files.readString(doc));
            while (block.find()) {
                Matcher line = commandLine.matcher(block.group(2));
                while (line.find()) {
                    seen++;
                    if (!commands.contains(line.group(1))) {
                        unknown.add(doc + ": " + line.group().strip());
                    }
                }
            }
        }
        assertThat(seen).as("command lines found in code blocks").isGreaterThan(10);
        assertThat(unknown).isEmpty();
    }

    /**
     * docs/cli.md's table has a row for every command of the jar (issue 30 #12: completion and help were
     * in no doc), each option it lists is one that command takes, and it lists every long option the
     * command takes (policy-sync's row refers to policy's options).
     */
    @Test
    void theCliPagesTableListsEveryCommandWithExactlyItsOptions() throws IOException {
        Map<String, Set<String>> options = commandOptions();
        Pattern row = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|[^|]*\\|([^|]*)\\|");
        Matcher m = row.matcher(Files.readString(Path.of("docs/cli.md")));
        Map<String, Set<String>> listed = new java.util.TreeMap<>();
        List<String> wrong = new ArrayList<>();
        while (m.find()) {
            String command = m.group(1);
            Set<String> names = new TreeSet<>();
            listed.put(command, names);
            Matcher option = Pattern.compile("`(-{1,2}[a-zA-Z][a-z-]*)`").matcher(m.group(2));
            while (option.find()) {
                names.add(option.group(1));
                if (!options.getOrDefault(command, Set.of()).contains(option.group(1))) {
                    wrong.add(command + " takes no " + option.group(1));
                }
            }
        }
        assertThat(listed.keySet()).isEqualTo(options.keySet());
        for (Map.Entry<String, Set<String>> command : options.entrySet()) {
            Set<String> documented = new TreeSet<>(listed.get(command.getKey()));
            if (command.getKey().equals("policy-sync")) {
                documented.addAll(listed.get("policy"));
            }
            command.getValue().stream().filter(o -> o.startsWith("--") && !o.equals("--help") && !documented.contains(o))
                    .forEach(o -> wrong.add("the row of " + command.getKey() + " lacks " + o));
        }
        assertThat(wrong).isEmpty();
    }
}
