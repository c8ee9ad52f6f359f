package dev.firstordinal.certs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar's {@code certs} mode: plain Java, exits by itself, starts no server. */
class CertsCommandIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @TempDir
    Path tmp;

    private record Run(int code, String stdout, String stderr) {
    }

    private Run jar(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = tmp.resolve("stdout.txt");
        Path err = tmp.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(tmp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("certs did not exit within 60 s: " + command);
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void writesTheFilesAndExitsWithoutStartingAServer() throws Exception {
        Run run = jar("certs", "--service", "first-ordinal", "--namespace", "first-ordinal", "--out", "certs/out");

        assertThat(run.code()).as(run.stderr()).isZero();
        for (String file : List.of("ca.crt", "ca.key", "tls.crt", "tls.key", "secret.yaml", "ca-bundle.b64")) {
            assertThat(tmp.resolve("certs/out").resolve(file)).isRegularFile();
        }
        assertThat(run.stdout()).contains("kubectl apply -f certs/out/secret.yaml").contains("kubectl patch mutatingwebhookconfiguration");
        assertThat(run.stdout() + run.stderr()).doesNotContain("Listening on").doesNotContain("started in");
    }

    @Test
    void refusesToOverwriteAndExits2() throws Exception {
        assertThat(jar("certs", "--out", "out").code()).isZero();
        byte[] key = Files.readAllBytes(tmp.resolve("out/tls.key"));

        Run again = jar("certs", "--out", "out");

        assertThat(again.code()).isEqualTo(2);
        assertThat(again.stderr().trim().lines()).hasSize(1);
        assertThat(again.stderr()).contains("not overwriting keys");
        assertThat(Files.readAllBytes(tmp.resolve("out/tls.key"))).isEqualTo(key);
    }

    @Test
    void badArgumentIsOneLineAndAHintOnStderrAndExit2() throws Exception {
        Run run = jar("certs", "--key-type", "dsa");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr().trim().lines().toList()).containsExactly(
                "first-ordinal certs: unknown key type 'dsa': use ec (ECDSA P-256) or rsa (RSA 2048)",
                "Try 'first-ordinal certs --help' for the options.");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void helpIsListedByTheJarAndDocumentsTheCommand() throws Exception {
        assertThat(jar("--help").stdout()).contains("certs");
        Run help = jar("certs", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.stdout()).contains("--key-type=ec|rsa").contains("--renew").contains("--force");
    }
}
