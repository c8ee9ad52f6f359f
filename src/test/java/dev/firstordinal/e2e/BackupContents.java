package dev.firstordinal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firstordinal.testing.Directories;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A Velero backup as Velero reports it: its tarball ({@code velero backup download}), its Backup object and its log
 * ({@code velero backup logs}).
 */
record BackupContents(Path dir, JsonNode backup, String log) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Downloads and extracts backup {@code name} under {@code workDir} with the given velero CLI. */
    static BackupContents of(Function<String[], Command> velero, ControlPlane cluster, Path workDir, String name) throws IOException {
        Path tarball = workDir.resolve(name + ".tar.gz");
        velero.apply(new String[] {"backup", "download", name, "-o", tarball.toString(), "--force"}).orThrow();
        Path extracted = workDir.resolve(name);
        Directories.deleteTree(extracted); // an earlier run's download of the same name
        Files.createDirectories(extracted);
        Command.run(List.of("tar", "-xzf", tarball.toString(), "-C", extracted.toString()), Map.of(), null, 60).orThrow();
        JsonNode backup = JSON.readTree(cluster.kubectl(null, "get", "backup.velero.io", name, "-n", "velero", "-o", "json").orThrow().stdout());
        String log = velero.apply(new String[] {"backup", "logs", name}).orThrow().stdout();
        Files.writeString(workDir.resolve(name + ".log"), log);
        return new BackupContents(extracted, backup, log);
    }

    /** "namespace/name" of every item of a resource (cluster-scoped: "name"). */
    Set<String> items(String resource) throws IOException {
        Set<String> names = new TreeSet<>();
        Path root = dir.resolve("resources").resolve(resource);
        if (!Files.isDirectory(root)) {
            return names;
        }
        // resources/<resource>/namespaces/<ns>/<name>.json or resources/<resource>/cluster/<name>.json
        // (each also under <version>-preferredversion/, skipped here).
        try (Stream<Path> files = Files.walk(root)) {
            files.map(root::relativize).filter(rel -> rel.toString().endsWith(".json"))
                    .filter(rel -> !rel.getName(0).toString().endsWith("-preferredversion"))
                    .forEach(rel -> {
                        String file = rel.getFileName().toString().replace(".json", "");
                        names.add(rel.getName(0).toString().equals("cluster") ? file : rel.getName(1) + "/" + file);
                    });
        }
        return names;
    }

    /** The backup's {@code status} field, e.g. {@code hookStatus/hooksAttempted}. */
    JsonNode status(String pointer) {
        return backup.path("status").at(pointer.startsWith("/") ? pointer : "/" + pointer);
    }
}
