package dev.firstordinal.admission;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project uses Vert.x through its public API: no import of a Vert.x {@code impl} package and no reflection on
 * Vert.x classes, except in {@link HttpsServerChannels}, the one class left that finds the listening server channels:
 * Vert.x 4.5 has no public API that sees a connection before its TLS handshake, where the connection cap, the
 * per-source rate and the header deadline act (docs/operations-limits.md). A new reach into Vert.x internals fails here.
 */
class VertxPublicApiTest {

    private static final Pattern INTERNAL = Pattern.compile(
            "import\\s+(static\\s+)?io\\.vertx\\.[\\w.]*\\.impl\\.|io\\.vertx\\.[\\w.]*\\.impl\\.\\w|VertxInternal"
                    + "|(getDeclaredField|getDeclaredMethod|setAccessible)\\b");
    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final List<String> ALLOWED = List.of("dev/firstordinal/admission/HttpsServerChannels.java");

    @Test
    void onlyHttpsServerChannelsReachesIntoVertxInternals() throws IOException {
        Map<String, String> offenders = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = SOURCES.relativize(file).toString().replace('\\', '/');
                String text = Files.readString(file);
                var m = INTERNAL.matcher(text);
                if (m.find() && !ALLOWED.contains(name)) {
                    offenders.put(name, m.group());
                }
            }
        }
        assertThat(offenders).as("Vert.x internals or reflection outside %s", ALLOWED).isEmpty();
        assertThat(INTERNAL.matcher(read(ALLOWED.get(0))).find()).as("the allowed class still needs its exception").isTrue();
    }

    private static String read(String name) throws IOException {
        return Files.readString(SOURCES.resolve(name));
    }
}
