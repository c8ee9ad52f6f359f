package dev.firstordinal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory laid out and updated the way the kubelet updates a mounted Secret: the files live in
 * a timestamped directory, {@code ..data} points to it, each file name is a symlink through
 * {@code ..data}, and an update swaps {@code ..data} with one rename, so a reader sees either all
 * old or all new files (but two reads may straddle the swap).
 */
public final class SecretVolume {

    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss.SSSSSSSSS");
    private final Path dir;

    public SecretVolume(Path dir) {
        this.dir = dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public synchronized void write(Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        Path data = dir.resolve("..data");
        Path previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path version = Files.createDirectory(dir.resolve(LocalDateTime.now().format(VERSION)));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(version.resolve(file.getKey()), file.getValue());
        }
        Path link = dir.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, version.getFileName());
        Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : files.keySet()) {
            if (!Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
            }
        }
        if (previous != null && !previous.equals(version)) {
            try (Stream<Path> old = Files.walk(previous)) {
                for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
