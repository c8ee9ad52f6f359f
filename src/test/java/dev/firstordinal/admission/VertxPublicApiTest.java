package dev.firstordinal.admission;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project uses Vert.x through its public API: no import of a Vert.x {@code impl} package and no reflection, with no
 * exception (issue 28: the connection guard is part of the TLS engine and of the project's own management server). A
 * reach into Vert.x internals fails here.
 */
class VertxPublicApiTest {

    private static final Pattern INTERNAL = Pattern.compile(
            "import\\s+(static\\s+)?io\\.vertx\\.[\\w.]*\\.impl\\.|io\\.vertx\\.[\\w.]*\\.impl\\.\\w|VertxInternal"
                    + "|(getDeclaredField|getDeclaredMethod|setAccessible)\\b");
    private static final Path SOURCES = Path.of("src", "main", "java");
    @Test
    void noSourceReachesIntoVertxInternals() throws IOException {
        Map<String, String> offenders = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = SOURCES.relativize(file).toString().replace('\\', '/');
                String text = Files.readString(file);
                var m = INTERNAL.matcher(text);
                if (m.find()) {
                    offenders.put(name, m.group());
                }
            }
        }
        assertThat(offenders).as("Vert.x internals or reflection").isEmpty();
    }

    @Test
    void thePatternFindsAnInternalImportAndReflection() {
        assertThat(INTERNAL.matcher("import io.vertx.core.net.impl.TCPServerBase;").find()).isTrue();
        assertThat(INTERNAL.matcher("field.setAccessible(true);").find()).isTrue();
        assertThat(INTERNAL.matcher("import io.vertx.core.http.HttpServer;").find()).isFalse();
    }
}
