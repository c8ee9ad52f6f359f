package dev.firstordinal.preview;

import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.CommandRunner;
import dev.firstordinal.cli.HelpOption;
import dev.firstordinal.cli.MarkingOptions;
import dev.firstordinal.cli.OutputFormat;
import dev.firstordinal.cli.UsageException;
import dev.firstordinal.ordinal.FirstOrdinalRule;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code preview -f statefulset.yaml}: the pods each StatefulSet would create and what the webhook
 * would add to each, offline (no cluster).
 */
@Command(name = "preview", sortOptions = false,
        description = {"show offline which pod of each StatefulSet in a YAML file would be marked, and with what", "",
                "Shows, without a cluster, the pods each StatefulSet in FILE would create (ordinals "
                        + "spec.ordinals.start .. start+replicas-1) and which one the webhook marks for backup, with the exact "
                        + "label and annotations it gets, or why a pod is left alone. FILE may hold many YAML documents "
                        + "(e.g. helm template output); documents that are not apps/v1 StatefulSets are ignored. "
                        + "Marks apply only in namespaces with the opt-in label (first-ordinal.dev/backup=enabled by default).", ""},
        footer = {"", "Exit codes: 0 rendered; 1 the input cannot be read, is not valid YAML, or holds no StatefulSet; "
                + "2 bad arguments."})
public final class PreviewCommand implements CliCommand, Callable<Integer> {

    /** The input could not be read, is not YAML, or holds no StatefulSet. */
    public static final int BAD_INPUT = 1;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", split = ",",
            description = "a YAML file; - reads standard input (repeat or comma-separate)")
    List<String> files;

    @Option(names = "--show-hook", description = "print first-ordinal's hook command whole (about 8 KB per marked pod), "
            + "not its size and digest (json and yaml always carry it whole)")
    boolean showHook;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "text (default), json or yaml (the same facts; every pod's verdict and the exact additions)")
    String output;

    @Mixin
    MarkingOptions marking = new MarkingOptions();

    @Mixin
    HelpOption help = new HelpOption();

    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    public PreviewCommand() {
        this(System.in, System.out, System.err);
    }

    public PreviewCommand(InputStream stdin, PrintStream out, PrintStream err) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    @Override
    public int run(List<String> argv) {
        return CommandRunner.run(this, argv, out, err);
    }

    /** Renders the files given; usage errors are thrown, for {@link CommandRunner}. */
    @Override
    public Integer call() throws UsageException {
        List<String> files = (this.files == null ? List.<String>of() : this.files).stream().map(String::trim).filter(f -> !f.isEmpty()).toList();
        if (files.isEmpty()) {
            throw new UsageException("give the StatefulSet YAML with -f FILE (-f - reads standard input)");
        }
        OutputFormat format = OutputFormat.of(output, "text");
        FirstOrdinalRule rule = marking.rule();
        List<io.fabric8.kubernetes.api.model.apps.StatefulSet> sets = new ArrayList<>();
        java.util.TreeSet<String> otherKinds = new java.util.TreeSet<>();
        for (String file : files) {
            try {
                StatefulSetDocuments.Parsed parsed = read(file);
                sets.addAll(parsed.statefulSets());
                otherKinds.addAll(parsed.otherKinds());
            } catch (StatefulSetDocuments.BadInput e) {
                err.println("first-ordinal preview: " + e.getMessage());
                return BAD_INPUT;
            } catch (NoSuchFileException e) {
                err.println("first-ordinal preview: " + file + ": no such file");
                return BAD_INPUT;
            } catch (IOException e) {
                err.println("first-ordinal preview: cannot read " + file + ": " + e.getMessage());
                return BAD_INPUT;
            }
        }
        if (sets.isEmpty()) {
            err.println("first-ordinal preview: no apps/v1 StatefulSet in " + String.join(", ", files)
                    + (otherKinds.isEmpty() ? "" : " (found " + String.join(", ", otherKinds) + ")"));
            return BAD_INPUT;
        }
        StatefulSetDocuments.Parsed all = new StatefulSetDocuments.Parsed(sets, List.copyOf(otherKinds));
        out.print(format == OutputFormat.HUMAN ? Preview.render(all, rule, showHook)
                : format.print(Preview.json(all, rule, new com.fasterxml.jackson.databind.ObjectMapper())));
        return 0;
    }

    /** The values completion offers for -o. */
    static final class Formats implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return OutputFormat.names("text").iterator();
        }
    }

    private StatefulSetDocuments.Parsed read(String file) throws IOException, StatefulSetDocuments.BadInput {
        if (file.equals("-")) {
            return StatefulSetDocuments.parse(stdin, "<stdin>");
        }
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
            return readDirectory(path);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return StatefulSetDocuments.parse(in, file);
        }
    }

    /** As kubectl -f DIR: the directory's .yaml, .yml and .json files, by name, not its subdirectories. */
    private static StatefulSetDocuments.Parsed readDirectory(Path dir) throws IOException, StatefulSetDocuments.BadInput {
        List<Path> files;
        try (java.util.stream.Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().matches(".*\\.(yaml|yml|json)"))
                    .sorted().toList();
        }
        List<io.fabric8.kubernetes.api.model.apps.StatefulSet> sets = new ArrayList<>();
        java.util.TreeSet<String> otherKinds = new java.util.TreeSet<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                StatefulSetDocuments.Parsed parsed = StatefulSetDocuments.parse(in, file.toString());
                sets.addAll(parsed.statefulSets());
                otherKinds.addAll(parsed.otherKinds());
            }
        }
        return new StatefulSetDocuments.Parsed(sets, List.copyOf(otherKinds));
    }
}
