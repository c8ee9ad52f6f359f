package dev.firstordinal.preview;

import dev.firstordinal.cli.Args;
import dev.firstordinal.cli.CliCommand;
import dev.firstordinal.cli.MarkingOptions;
import dev.firstordinal.ordinal.FirstOrdinalRule;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code preview -f statefulset.yaml}: the pods each StatefulSet would create and what the webhook
 * would add to each, offline (no cluster).
 */
public final class PreviewCommand implements CliCommand {

    /** The input could not be read, is not YAML, or holds no StatefulSet. */
    public static final int BAD_INPUT = 1;

    static final String HELP = """
            Usage: first-ordinal preview -f FILE [-f FILE ...]

            Shows, without a cluster, the pods each StatefulSet in FILE would create (ordinals
            spec.ordinals.start .. start+replicas-1) and which one the webhook marks for backup, with the exact
            label and annotations it gets, or why a pod is left alone. FILE may hold many YAML documents
            (e.g. helm template output); documents that are not apps/v1 StatefulSets are ignored.
            Marks apply only in namespaces with the opt-in label (first-ordinal.dev/backup=enabled by default).

            Options:
              -f, --filename FILE    a YAML file; - reads standard input
            %s  -h, --help             show this help

            Exit codes: 0 rendered; 1 the input cannot be read, is not valid YAML, or holds no StatefulSet;
            2 bad arguments.""".formatted(MarkingOptions.HELP);

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
    public String name() {
        return "preview";
    }

    @Override
    public String summary() {
        return "show offline which pod of each StatefulSet in a YAML file would be marked, and with what";
    }

    @Override
    public int run(List<String> argv) {
        List<String> files;
        FirstOrdinalRule rule;
        try {
            Args args = MarkingOptions.addTo(Args.spec().value("--filename", "-f").flag("--help", "-h")).parse(argv);
            if (args.has("--help")) {
                out.println(HELP);
                return 0;
            }
            if (!args.positional().isEmpty()) {
                throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "' (give files with -f)");
            }
            files = args.values("--filename");
            if (files.isEmpty()) {
                throw new Args.UsageException("give the StatefulSet YAML with -f FILE (-f - reads standard input)");
            }
            rule = MarkingOptions.rule(args);
        } catch (Args.UsageException e) {
            err.println("first-ordinal preview: " + e.getMessage() + "; run 'preview --help' for the options");
            return USAGE_ERROR;
        }
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
        out.print(Preview.render(new StatefulSetDocuments.Parsed(sets, List.copyOf(otherKinds)), rule));
        return 0;
    }

    private StatefulSetDocuments.Parsed read(String file) throws IOException, StatefulSetDocuments.BadInput {
        if (file.equals("-")) {
            return StatefulSetDocuments.parse(stdin, "<stdin>");
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return StatefulSetDocuments.parse(in, file);
        }
    }
}
