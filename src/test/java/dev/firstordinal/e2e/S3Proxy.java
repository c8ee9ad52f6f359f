package dev.firstordinal.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.firstordinal.testing.Directories;
import dev.firstordinal.testing.JarProcess;

/**
 * s3proxy (filesystem backend) as the S3 server behind Velero's BackupStorageLocation, one bucket {@code velero},
 * listening on {@code host} (loopback, or the real node's bridge address so that pods reach it). Its class path
 * comes from build-binaries.sh ({@code FIRST_ORDINAL_E2E_S3PROXY_CLASSPATH}).
 */
final class S3Proxy implements AutoCloseable {

    static final String BUCKET = "velero";
    private static final String IDENTITY = "first-ordinal-e2e";
    private static final String CREDENTIAL = "first-ordinal-e2e-secret";

    private final Path dir;
    private final String endpoint;
    private final Process process;

    private S3Proxy(Path dir, String endpoint, Process process) {
        this.dir = dir;
        this.endpoint = endpoint;
        this.process = process;
    }

    /**
     * Starts s3proxy on {@code host} (a free port), storing under {@code dir}/s3, emptied first (Velero would sync the
     * backups an earlier run left there, and a new backup of the same name then fails); returns once it listens.
     */
    static S3Proxy start(Path dir, String host, Path classpathFile) throws IOException {
        Directories.deleteTree(dir.resolve("s3"));
        Files.createDirectories(dir.resolve("s3").resolve(BUCKET));
        int port = JarProcess.freePort();
        String endpoint = "http://" + host + ":" + port;
        Files.writeString(dir.resolve("s3proxy.conf"), """
                s3proxy.endpoint=%s
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=%s
                s3proxy.credential=%s
                jclouds.provider=filesystem
                jclouds.filesystem.basedir=%s
                """.formatted(endpoint, IDENTITY, CREDENTIAL, dir.resolve("s3")));
        Files.writeString(dir.resolve("credentials"), "[default]\naws_access_key_id=%s\naws_secret_access_key=%s\n"
                .formatted(IDENTITY, CREDENTIAL));
        String classpath = Files.readString(classpathFile).strip();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", classpath, "org.gaul.s3proxy.Main", "--properties", dir.resolve("s3proxy.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        S3Proxy proxy = new S3Proxy(dir, endpoint, process);
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
        Waits.until(Duration.ofSeconds(60), "s3proxy listening on " + endpoint, () -> listening(host, port));
        return proxy;
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket(host, port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** {@code http://host:port}, for the BackupStorageLocation's {@code s3Url}. */
    String endpoint() {
        return endpoint;
    }

    /** An AWS shared-credentials file with this server's key (Velero's {@code --secret-file}). */
    Path credentials() {
        return dir.resolve("credentials");
    }

    /** Bytes stored in {@code bucket} (a directory of the filesystem backend: create it to make the bucket). */
    long storedBytes(String bucket) {
        Path root = dir.resolve("s3").resolve(bucket);
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
