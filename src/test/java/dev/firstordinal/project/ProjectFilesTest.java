package dev.firstordinal.project;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The licence and the changelog a user looks for before installing anything. */
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

    @Test
    void changelogHasAnUnreleasedSectionThatNamesTheWebhookRename() throws Exception {
        String changelog = Files.readString(Path.of("CHANGELOG.md"));
        assertThat(changelog).contains("Keep a Changelog", "## [Unreleased]", "### Added", "### Changed", "### Fixed");
        String unreleased = changelog.substring(changelog.indexOf("## [Unreleased]"), changelog.indexOf("## [0.1.0]"));
        assertThat(unreleased).contains("pods.first-ordinal.dev", "rotationPolicy: Never", "Velero");
    }
}
