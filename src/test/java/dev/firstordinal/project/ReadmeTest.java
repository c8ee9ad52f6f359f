package dev.firstordinal.project;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README stays a five-minute page and keeps the two commands CI and the tests rely on. */
class ReadmeTest {

    private static final Path README = Path.of("README.md");

    @Test
    void readmeIsShorterThan300Lines() throws IOException {
        assertThat(Files.readAllLines(README)).as("README.md lines; move detail to docs/").hasSizeLessThan(300);
    }

    @Test
    void readmeKeepsTheRunAndTestCommands() throws IOException {
        String readme = Files.readString(README);
        assertThat(readme)
                .as("the local run with the embedded self-signed default (ServeFromJarIT runs it)")
                .contains("./mvnw -q package -DskipTests && java -jar target/quarkus-app/quarkus-run.jar")
                .as("the test command .ci/run calls")
                .containsPattern("(?m)^\\./mvnw verify\\s");
        assertThat(Files.readString(Path.of(".ci/run")))
                .as(".ci/run calls exactly the README's test command")
                .containsPattern("(?m)^\\./mvnw verify$");
    }
}
