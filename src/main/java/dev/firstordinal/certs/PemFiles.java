package dev.firstordinal.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes PEM files atomically (temp file, then rename), private keys readable by the owner only. */
public final class PemFiles {

    private PemFiles() {
    }

    public static void writePublic(Path file, String pem) throws IOException {
        write(file, pem, "rw-r--r--");
    }

    public static void writePrivate(Path file, String pem) throws IOException {
        write(file, pem, "rw-------");
    }

    private static void write(Path file, String content, String permissions) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            trySetPermissions(temp, permissions);
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void trySetPermissions(Path file, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file keeps the directory's ACL.
        }
    }
}
