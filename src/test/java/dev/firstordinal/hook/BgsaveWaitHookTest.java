package dev.firstordinal.hook;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.PemFiles;
import dev.firstordinal.hook.HookProcess.Result;
import dev.firstordinal.hook.HookProcess.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pre-backup hook script against a real {@code redis-server}: every test runs the exact argv
 * from the webhook's {@code pre.hook.backup.velero.io/command} annotation, under {@code /bin/sh}
 * (dash on Debian) and, where it matters, under {@code busybox sh}.
 */
class BgsaveWaitHookTest {

    /** Velero timeout for ordinary runs: the script's own deadline is then 54 s. */
    private static final String TIMEOUT = "60s";
    private static final Duration FAST = Duration.ofSeconds(3);

    private static List<String> argv;

    @TempDir
    Path tmp;

    private final List<RedisServer> servers = new ArrayList<>();

    @BeforeAll
    static void hookFromTheAnnotation() {
        RedisServer.onPath("redis-server", RedisServer.REDIS_SERVER);
        RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI);
        argv = HookProcess.argvFromAnnotation(TIMEOUT);
        assertThat(argv).hasSize(3).startsWith("/bin/sh", "-c");
        assertThat(argv.get(2)).contains("deadline=54\n");
    }

    @AfterEach
    void stopServersAndRemoveLinks() throws IOException {
        servers.forEach(RedisServer::close);
        Path bin = tmp.resolve("bin");
        if (Files.isDirectory(bin)) {
            deleteRecursively(bin); // links to system binaries: removed here, not by @TempDir (which warns)
        }
    }

    // --- what the hook is for -------------------------------------------------------------

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void writesMadeJustBeforeTheHookAreInTheRdb(Shell shell) {
        RedisServer redis = start("redis");
        Map<String, String> written = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            written.put("key:" + i, "value " + i + " " + shell);
            redis.call("SET", "key:" + i, "value " + i + " " + shell);
        }

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.successLine())
                .matches("first-ordinal hook: BGSAVE finished in \\d+s, RDB saved at \\d+ \\(rdb_saves 1\\)");
        assertThat(keysIn(copyOfRdb(redis))).isEqualTo(written);
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void aWriteMadeAfterARunningSaveBeganIsInTheRdb(Shell shell) {
        RedisServer redis = start("redis");
        slowSave(redis, 2000); // about 2 s
        assertThat(redis.call("BGSAVE")).isEqualTo("Background saving started");
        redis.call("SET", "late", "written after the running save forked");
        assertThat(redis.info("rdb_bgsave_in_progress")).isEqualTo("1");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.successLine()).contains("(rdb_saves 2)");
        assertThat(redis.infoLong("rdb_saves")).as("the running save, then the hook's own").isEqualTo(2);
        assertThat(keysIn(copyOfRdb(redis))).containsEntry("late", "written after the running save forked");
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void succeedsWhileAnAofRewriteRunsAndSaysRestoreLoadsTheAof(Shell shell) {
        RedisServer redis = start("redis", "--appendonly", "yes");
        redis.awaitInfo("aof_rewrite_in_progress", "0", Duration.ofSeconds(10));
        slowSave(redis, 2000); // the delay slows the AOF rewrite as well
        assertThat(redis.call("BGREWRITEAOF")).asString().contains("rewriting started");
        redis.call("SET", "late", "written during the AOF rewrite");
        assertThat(redis.info("aof_rewrite_in_progress")).isEqualTo("1");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.successLine())
                .contains("BGSAVE finished")
                .endsWith("note: appendonly is on, so a restore loads the AOF, not this RDB");
        assertThat(redis.info("rdb_last_bgsave_status")).isEqualTo("ok");
        assertThat(keysIn(copyOfRdb(redis))).containsEntry("late", "written during the AOF rewrite");
    }

    // --- failures -------------------------------------------------------------------------

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void aSaveThatFailsExitsNonZeroWithAClearMessage(Shell shell) throws IOException {
        RedisServer redis = start("redis");
        redis.call("SET", "k", "v");
        deleteRecursively(redis.dataDir()); // the fork cannot create its temp RDB any more

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: BGSAVE failed at 127.0.0.1:" + redis.port()
                + ": rdb_last_bgsave_status:err, no fresh RDB (the Redis log says why, e.g. disk full or dir not writable)");
        assertThat(redis.info("rdb_last_bgsave_status")).isEqualTo("err");
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void noServerFailsFast(Shell shell) {
        int port = RedisServer.freePort();

        Result result = hook(shell, Map.of("REDIS_PORT", Integer.toString(port)));

        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: no Redis server at 127.0.0.1:" + port + ": ")
                .contains("Connection refused");
        assertThat(result.elapsed()).isLessThan(FAST);
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void wrongPasswordFailsFast(Shell shell) {
        RedisServer redis = start("redis", "--requirepass", "right");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis), "REDISCLI_AUTH", "wrong"));

        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: authentication failed at 127.0.0.1:" + redis.port() + " (password from REDISCLI_AUTH): ")
                .contains("WRONGPASS");
        assertThat(result.elapsed()).isLessThan(FAST);
        assertThat(redis.infoLong("rdb_saves")).isZero();
    }

    @Test
    void missingPasswordFailsFast() {
        RedisServer redis = start("redis", "--requirepass", "right");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: authentication failed at 127.0.0.1:" + redis.port() + " (password from none): ")
                .contains("NOAUTH");
        assertThat(result.elapsed()).isLessThan(FAST);
    }

    @Test
    void anErrorReplyToBgsaveFailsWithTheReply() {
        RedisServer redis = start("redis");
        redis.call("ACL", "SETUSER", "default", "-bgsave");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: BGSAVE failed at 127.0.0.1:" + redis.port()
                + ": NOPERM this user has no permissions to run the 'bgsave' command");
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void givesUpAtItsDeadlineWhileASlowSaveRuns(Shell shell) {
        List<String> tight = HookProcess.argvFromAnnotation("4s"); // deadline 2 s
        assertThat(tight.get(2)).contains("deadline=2\n");
        RedisServer redis = start("redis");
        slowSave(redis, 8000); // about 8 s
        assertThat(redis.call("BGSAVE")).isEqualTo("Background saving started");

        Result result = HookProcess.run(shell.apply(tight), Map.of("REDIS_PORT", port(redis)), tmp);

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: deadline of 2s reached while waiting for a save"
                + " that was already running (it does not hold the latest writes) to end; no fresh RDB"
                + " (raise pre.hook.backup.velero.io/timeout)");
        assertThat(result.elapsed()).isLessThan(Duration.ofMillis(3500));
    }

    @Test
    void givesUpAtItsDeadlineWhileItsOwnSaveRuns() {
        List<String> tight = HookProcess.argvFromAnnotation("4s");
        RedisServer redis = start("redis");
        slowSave(redis, 8000);

        Result result = HookProcess.run(tight, Map.of("REDIS_PORT", port(redis)), tmp);

        assertThat(result.failureLine()).startsWith("first-ordinal hook: deadline of 2s reached while waiting for our BGSAVE to finish");
        assertThat(result.elapsed()).isLessThan(Duration.ofMillis(3500));
        assertThat(redis.info("rdb_bgsave_in_progress")).as("the hook leaves the save running").isEqualTo("1");
    }

    // --- how it finds the server ----------------------------------------------------------

    @Test
    void takesThePasswordFromRedisCliAuth() {
        RedisServer redis = start("redis", "--requirepass", "s3cret");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis), "REDISCLI_AUTH", "s3cret"));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void takesThePasswordFromBitnamisRedisPassword(Shell shell) {
        RedisServer redis = start("redis", "--requirepass", "s3cret");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis), "REDIS_PASSWORD", "s3cret"));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @Test
    void redisCliAuthWinsOverRedisPassword() {
        RedisServer redis = start("redis", "--requirepass", "s3cret");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis), "REDISCLI_AUTH", "s3cret", "REDIS_PASSWORD", "stale"));

        assertThat(result.successLine()).contains("BGSAVE finished");
    }

    @Test
    void takesTheNonDefaultPortFromBitnamisRedisPortNumber() {
        RedisServer redis = start("redis");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT_NUMBER", port(redis)));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void ignoresAServiceLinkRedisPort(Shell shell) {
        RedisServer redis = start("redis");

        Result result = hook(shell, Map.of("REDIS_PORT", "tcp://1.2.3.4:6379", "REDIS_PORT_NUMBER", port(redis)));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @Test
    void connectsWithTlsFromBitnamisVariables() throws IOException {
        CertificateFiles certs = CertificateFiles.write(tmp.resolve("tls"));
        int tlsPort = RedisServer.freePort();
        RedisServer redis = start("redis", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.cert().toString(), "--tls-key-file", certs.key().toString(),
                "--tls-ca-cert-file", certs.ca().toString(), "--tls-auth-clients", "no");

        Result result = hook(Shell.SH, Map.of(
                "REDIS_TLS_ENABLED", "yes",
                "REDIS_TLS_PORT", Integer.toString(tlsPort),
                "REDIS_PORT", "6379",
                "REDIS_TLS_CA_FILE", certs.ca().toString(),
                "REDIS_TLS_CERT_FILE", certs.cert().toString(),
                "REDIS_TLS_KEY_FILE", certs.key().toString()));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    // --- what the container provides -------------------------------------------------------

    @Test
    void fallsBackToValkeyCliWhenRedisCliIsAbsent() throws IOException {
        RedisServer redis = start("redis");
        Path bin = busyboxOnlyBin();
        Files.createSymbolicLink(bin.resolve("valkey-cli"), RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI));

        Result result = HookProcess.run(argv, Map.of("REDIS_PORT", port(redis)), tmp, bin.toString());

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @Test
    void failsClearlyWithoutACli() throws IOException {
        Path bin = busyboxOnlyBin();

        Result result = HookProcess.run(argv, Map.of("REDIS_PORT", "6379"), tmp, bin.toString());

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: neither redis-cli nor valkey-cli found on PATH");
    }

    /**
     * Redis before 7.0 has no {@code rdb_saves}: the hook then watches LASTSAVE. No such server is
     * installed here, so a redis-cli wrapper hides the field from the hook.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void withoutRdbSavesLikeRedisBefore7ItStillWaitsForItsOwnSave(Shell shell) throws IOException {
        RedisServer redis = start("redis");
        Path shim = Files.createDirectories(tmp.resolve("redis6-cli"));
        Path cli = shim.resolve("redis-cli");
        Files.writeString(cli, "#!/bin/sh\n" + RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI)
                + " \"$@\" | sed '/^rdb_saves:/d'\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwxr-xr-x"));
        slowSave(redis, 1500);
        assertThat(redis.call("BGSAVE")).isEqualTo("Background saving started");
        redis.call("SET", "late", "written after the running save forked");

        Result result = HookProcess.run(shell.apply(argv), Map.of("REDIS_PORT", port(redis)), tmp,
                shim + ":" + HookProcess.PATH);

        assertThat(result.successLine()).matches("first-ordinal hook: BGSAVE finished in \\d+s, RDB saved at \\d+");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(2);
        assertThat(keysIn(copyOfRdb(redis))).containsEntry("late", "written after the running save forked");
    }

    // --- helpers ---------------------------------------------------------------------------

    private RedisServer start(String name, String... args) {
        RedisServer server = RedisServer.start(tmp, name + "-" + servers.size(), args);
        servers.add(server);
        return server;
    }

    private Result hook(Shell shell, Map<String, String> env) {
        return HookProcess.run(shell.apply(argv), env, tmp);
    }

    private static String port(RedisServer redis) {
        return Integer.toString(redis.port());
    }

    /** Fills the server with {@code keys} keys and makes every save take about 1 ms per key. */
    private static void slowSave(RedisServer redis, int keys) {
        redis.call("DEBUG", "POPULATE", Integer.toString(keys), "filler", "16");
        redis.call("CONFIG", "SET", "rdb-key-save-delay", "1000");
    }

    /** A second server started on a copy of the first one's RDB, as a restore would. */
    private RedisServer copyOfRdb(RedisServer redis) {
        assertThat(redis.rdb()).exists();
        String name = "restored-" + servers.size();
        try {
            Path data = Files.createDirectories(tmp.resolve(name).resolve("data"));
            Files.copy(redis.rdb(), data.resolve("dump.rdb"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisServer copy = RedisServer.start(tmp, name);
        servers.add(copy);
        return copy;
    }

    /** Every string key and its value, except DEBUG POPULATE's filler. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> keysIn(RedisServer redis) {
        Map<String, String> keys = new HashMap<>();
        for (Object key : (List<Object>) redis.call("KEYS", "*")) {
            if (!((String) key).startsWith("filler:")) {
                keys.put((String) key, (String) redis.call("GET", (String) key));
            }
        }
        return keys;
    }

    /** A bin directory with busybox's sh, date, sed, tr and sleep and nothing else. */
    private Path busyboxOnlyBin() throws IOException {
        Path busybox = RedisServer.onPath("busybox", RedisServer.BUSYBOX);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : List.of("sh", "date", "sed", "tr", "sleep")) {
            Files.createSymbolicLink(bin.resolve(tool), busybox);
        }
        return bin;
    }

    /** A CA and a certificate for 127.0.0.1 signed by it, as PEM files. */
    private record CertificateFiles(Path ca, Path cert, Path key) {

        static CertificateFiles write(Path dir) throws IOException {
            Files.createDirectories(dir);
            CertificateIssuer issuer = new CertificateIssuer();
            IssuedCertificate ca = issuer.certificateAuthority("hook test CA", Duration.ofDays(1), KeyType.EC_P256);
            IssuedCertificate serving = issuer.servingCertificate(ca, List.of("localhost"), List.of("127.0.0.1"),
                    Duration.ofDays(1), KeyType.EC_P256);
            CertificateFiles files = new CertificateFiles(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
            PemFiles.writePublic(files.ca(), ca.certificatePem());
            PemFiles.writePublic(files.cert(), serving.certificatePem());
            PemFiles.writePrivate(files.key(), serving.privateKeyPem());
            return files;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
