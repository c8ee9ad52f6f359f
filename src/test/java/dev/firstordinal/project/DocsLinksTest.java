package dev.firstordinal.project;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link in README.md, docs/, deploy/ and certs/ Markdown names a file that exists, and every
 * {@code #anchor} a heading of its target, slugged the way GitHub slugs headings.
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]*)(#[^)\\s]*)?\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.+?)\\s*#*\\s*$");

    static List<Path> markdownFiles() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        for (String dir : List.of("docs", "deploy", "certs")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
            }
        }
        return docs;
    }

    /** GitHub's anchor of a heading: markup dropped, lower case, punctuation removed, spaces to hyphens. */
    static String slug(String heading) {
        String text = heading
                .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")   // links and images: their text
                .replaceAll("<[^>]+>", "");                           // inline HTML
        text = text.toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    /** The anchors of a Markdown file's headings (outside fenced code), with GitHub's -1, -2 for repeats. */
    static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fence = false;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("```") || line.startsWith("~~~")) {
                fence = !fence;
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (fence || !h.matches()) {
                continue;
            }
            String base = slug(h.group(2));
            int n = seen.merge(base, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? base : base + "-" + n);
        }
        return anchors;
    }

    @Test
    void slugsAreGitHubs() {
        assertThat(slug("0. Build the image")).isEqualTo("0-build-the-image");
        assertThat(slug("4. Check coverage with `audit`")).isEqualTo("4-check-coverage-with-audit");
        assertThat(slug("Self-managed: what happens when")).isEqualTo("self-managed-what-happens-when");
        assertThat(slug("Metrics (`:9000/q/metrics`)")).isEqualTo("metrics-9000qmetrics");
        assertThat(slug("What the figures say (see `bench/RESULTS.md` for the latest run)"))
                .isEqualTo("what-the-figures-say-see-benchresultsmd-for-the-latest-run");
    }

    @Test
    void everyRelativeLinkResolvesToAFileAndEveryAnchorToAHeading() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        int anchorsChecked = 0;
        for (Path doc : markdownFiles()) {
            Matcher m = LINK.matcher(Files.readString(doc));
            while (m.find()) {
                String target = m.group(1);
                String anchor = m.group(2);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                checked++;
                Path resolved = target.isEmpty()
                        ? doc.toAbsolutePath().normalize()
                        : doc.toAbsolutePath().getParent().resolve(target).normalize();
                String relative = root.relativize(resolved).toString().replace('\\', '/');
                if (!Files.exists(resolved)) {
                    broken.add(doc + " -> " + target + ": no such file");
                    continue;
                }
                if (anchor == null) {
                    continue;
                }
                anchorsChecked++;
                if (!resolved.toString().endsWith(".md")) {
                    broken.add(doc + " -> " + target + anchor + ": an anchor into a file that is not Markdown");
                } else if (!anchors(resolved).contains(anchor.substring(1))) {
                    broken.add(doc + " -> " + target + anchor + ": no such heading in " + relative);
                }
            }
        }
        assertThat(checked).isPositive();
        assertThat(anchorsChecked).isPositive();
        assertThat(broken).isEmpty();
    }
}
