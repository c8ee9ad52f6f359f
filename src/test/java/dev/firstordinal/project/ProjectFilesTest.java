package dev.firstordinal.project;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The licence and the changelog a user looks for before installing anything, and nothing stray at the root. */
class ProjectFilesTest {

    @Test
    void licenceIsTheFullApache2TextAndThePomSaysSo() throws Exception {
        String licence = Files.readString(Path.of("LICENSE"));
        assertThat(licence).contains("Apache License", "Version 2.0, January 2004",
                "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS");
        assertThat(licence.lines().count()).as("the full text, not a pointer to it").isGreaterThan(150);

        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element license = (Element) pom.getDocumentElement().getElementsByTagName("license").item(0);
        assertThat(license).as("<licenses><license> in pom.xml").isNotNull();
        assertThat(license.getElementsByTagName("name").item(0).getTextContent()).isEqualTo("Apache-2.0");
        assertThat(license.getElementsByTagName("url").item(0).getTextContent()).contains("apache.org/licenses/LICENSE-2.0");
    }

    /** The same list as .ci/run checks: one list, in .ci/root-files. */
    @Test
    void theRepositoryRootHoldsOnlyWhatCiRootFilesAllows() throws Exception {
        List<String> allowed = Files.readAllLines(Path.of(".ci/root-files")).stream()
                .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        assertThat(Files.readString(Path.of(".ci/run"))).as(".ci/run checks the same list").contains(".ci/root-files");

        assertThat(rootEntries()).as("entries at the repository root not in .ci/root-files").isSubsetOf(allowed);
    }

    /**
     * Top-level names of the files git tracks or would track (untracked, not ignored), as .ci/run lists them;
     * outside a git checkout (a source archive), what is at the root but the build's target/.
     */
    private static Set<String> rootEntries() throws Exception {
        if (!Files.exists(Path.of(".git"))) {
            try (var entries = Files.list(Path.of("."))) {
                return entries.map(entry -> entry.getFileName().toString()).filter(name -> !name.equals("target"))
                        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
            }
        }
        Process git = new ProcessBuilder("git", "ls-files", "--cached", "--others", "--exclude-standard")
                .redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).as("git ls-files: " + out).isZero();
        Set<String> entries = new TreeSet<>();
        out.lines().filter(line -> !line.isEmpty()).forEach(line -> entries.add(line.split("/", 2)[0]));
        return entries;
    }

    @Test
    void changelogHasAnUnreleasedSectionThatNamesTheWebhookRename() throws Exception {
        String changelog = Files.readString(Path.of("CHANGELOG.md"));
        assertThat(changelog).contains("Keep a Changelog", "## [Unreleased]", "### Added", "### Changed", "### Fixed");
        String unreleased = changelog.substring(changelog.indexOf("## [Unreleased]"), changelog.indexOf("## [0.1.0]"));
        assertThat(unreleased).contains("pods.first-ordinal.dev", "rotationPolicy: Never", "Velero");
    }
}
