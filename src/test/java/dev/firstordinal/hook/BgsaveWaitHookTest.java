package dev.firstordinal.hook;

import dev.firstordinal.certs.CertificateIssuer;
import dev.firstordinal.certs.IssuedCertificate;
import dev.firstordinal.certs.KeyType;
import dev.firstordinal.certs.PemFiles;
import dev.firstordinal.hook.HookProcess.Result;
import dev.firstordinal.hook.HookProcess.Shell;
import dev.firstordinal.testing.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            Directories.deleteTree(bin); // links to system binaries: removed here, not by @TempDir (which warns)
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
                .matches("first-ordinal hook: BGSAVE finished in \\d+\\.\\d\\ds, RDB saved at \\d+ \\(rdb_saves 1\\); pod " + Pattern.quote(HookProcess.HOSTNAME));
        assertThat(keysIn(copyOfRdb(redis))).isEqualTo(written);
    }

    /** Issue 19, lesser: the elapsed time was whole seconds (9.25 s showed as 10 s). */
    @Test
    void reportsItsRunTimeInHundredthsNoMoreThanItRan() {
        RedisServer redis = start("redis");
        slowSave(redis, 1200); // about 1.2 s

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis)));

        Matcher took = Pattern.compile("finished in (\\d+\\.\\d\\d)s").matcher(result.successLine());
        assertThat(took.find()).as(result.successLine()).isTrue();
        double reported = Double.parseDouble(took.group(1));
        assertThat(reported).isGreaterThan(1.0).isLessThanOrEqualTo(result.elapsed().toMillis() / 1000.0 + 0.01);
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

    /**
     * Issue 19 #6: with AOF on a restore loads the AOF, so the hook writes no second copy (no
     * BGSAVE, no dump.rdb that could fill the disk) and the AOF files alone hold the writes.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void withAofOnItWritesNoRdbAndTheAofHoldsTheWrites(Shell shell) {
        RedisServer redis = start("redis", "--appendonly", "yes");
        redis.awaitInfo("aof_rewrite_in_progress", "0", Duration.ofSeconds(10));
        redis.call("SET", "k", "written before the hook " + shell);

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.successLine()).matches("first-ordinal hook: appendonly is on, so a restore loads the AOF:"
                + " no AOF rewrite running, aof_last_write_status:ok, no BGSAVE needed; checked in \\d+\\.\\d\\ds" + Pattern.quote(HookProcess.IN_POD));
        assertThat(redis.infoLong("rdb_saves")).as("no BGSAVE").isZero();
        assertThat(redis.rdb()).doesNotExist();
        assertThat(keysIn(copyOfAof(redis))).containsEntry("k", "written before the hook " + shell);
    }

    /**
     * Issue 19 #6: a file-by-file copy taken across an AOF rewrite may not load; the hook waits
     * until the rewrite has swapped the files, and still writes no RDB.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void withAofOnItWaitsForARunningRewriteToFinish(Shell shell) {
        RedisServer redis = start("redis", "--appendonly", "yes");
        redis.awaitInfo("aof_rewrite_in_progress", "0", Duration.ofSeconds(10));
        slowSave(redis, 2000); // the delay slows the AOF rewrite (RDB preamble) as well
        long rewrites = redis.infoLong("aof_rewrites");
        assertThat(redis.call("BGREWRITEAOF")).asString().contains("rewriting started");
        redis.call("SET", "late", "written during the AOF rewrite");
        assertThat(redis.info("aof_rewrite_in_progress")).isEqualTo("1");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.successLine()).contains("no AOF rewrite running");
        assertThat(redis.info("aof_rewrite_in_progress")).isEqualTo("0");
        assertThat(redis.infoLong("aof_rewrites")).as("the rewrite ended before the hook did").isEqualTo(rewrites + 1);
        assertThat(result.elapsed()).isGreaterThan(Duration.ofMillis(1000));
        assertThat(redis.infoLong("rdb_saves")).as("no BGSAVE").isZero();
        assertThat(keysIn(copyOfAof(redis))).containsEntry("late", "written during the AOF rewrite");
    }

    /**
     * With AOF off, an AOF rewrite (BGREWRITEAOF) still blocks BGSAVE: the hook schedules its save.
     * Issue 19 #8: a diskless replication transfer between the rewrite and the scheduled save also
     * sets rdb_bgsave_in_progress:1 but writes no RDB; only rdb_saves growing proves our save ran.
     */
    @Test
    void aBgsaveScheduledBehindARewriteIsNotMistakenForAReplicationTransfer() {
        RedisServer master = start("master", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0");
        slowSave(master, 1500); // the rewrite, the transfer and the save each take about 1.5 s
        assertThat(master.call("BGREWRITEAOF")).asString().contains("rewriting started");
        RedisServer replica = start("replica", "--replicaof", "127.0.0.1", port(master));
        RedisServer.await(() -> "1".equals(master.info("aof_rewrite_in_progress")) && connectedReplicas(master) == 1,
                Duration.ofSeconds(10), "the replica waiting for its sync behind the rewrite");
        master.call("SET", "late", "written during the AOF rewrite");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(master)));

        assertThat(result.successLine()).contains("BGSAVE finished").contains("(rdb_saves 1)");
        assertThat(master.infoLong("rdb_saves")).as("only the hook's own save").isEqualTo(1);
        assertThat(replica.info("master_link_status", "replication")).as("the transfer ran first").isEqualTo("up");
        assertThat(keysIn(copyOfRdb(master))).containsEntry("late", "written during the AOF rewrite");
    }

    // --- failures -------------------------------------------------------------------------

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void aSaveThatFailsExitsNonZeroWithAClearMessage(Shell shell) throws IOException {
        RedisServer redis = start("redis");
        redis.call("SET", "k", "v");
        Directories.deleteTree(redis.dataDir()); // the fork cannot create its temp RDB any more

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: BGSAVE failed at 127.0.0.1:" + redis.port()
                + ": rdb_last_bgsave_status:err, no fresh RDB (the Redis log says why, e.g. disk full or dir not writable)" + HookProcess.IN_POD);
        assertThat(redis.info("rdb_last_bgsave_status")).isEqualTo("err");
    }

    /**
     * Issue 30 #2: Redis Cluster puts several shards in one StatefulSet, so the first ordinal's
     * files hold one shard of many. The hook refuses, saying why, and writes nothing.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void aRedisClusterNodeFailsSayingOneVolumeHoldsOnlyItsOwnSlots(Shell shell) {
        RedisServer redis = start("cluster-node", "--cluster-enabled", "yes");
        assertThat(redis.info("cluster_enabled", "cluster")).isEqualTo("1");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: Redis Cluster at 127.0.0.1:" + redis.port()
                + " (cluster_enabled:1): one StatefulSet holds many shards, so this pod's files hold only this node's"
                + " slots; first-ordinal covers one shard per StatefulSet, not Redis Cluster; no backup taken"
                + " (set first-ordinal.dev/skip: \"true\" on the set)" + HookProcess.IN_POD);
        assertThat(result.elapsed()).isLessThan(FAST);
        assertThat(redis.infoLong("rdb_saves")).as("no BGSAVE").isZero();
    }

    /** Bitnami's redis-cluster chart turns AOF on: the cluster check comes before the AOF path. */
    @Test
    void aRedisClusterNodeWithAofOnFailsToo() {
        RedisServer redis = start("cluster-node", "--cluster-enabled", "yes", "--appendonly", "yes");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis)));

        assertThat(result.failureLine()).startsWith("first-ordinal hook: Redis Cluster at 127.0.0.1:" + redis.port()
                + " (cluster_enabled:1): ");
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void noServerFailsFast(Shell shell) {
        int port = RedisServer.freePort();

        Result result = hook(shell, Map.of("REDIS_PORT", Integer.toString(port)));

        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: no Redis server at 127.0.0.1:" + port + ": ")
                .contains("Connection refused")
                .endsWith("a server with port 0 listens only on its unix socket: set REDIS_SOCKET" + HookProcess.IN_POD);
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
                + ": NOPERM this user has no permissions to run the 'bgsave' command" + HookProcess.IN_POD);
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
                + " (raise pre.hook.backup.velero.io/timeout)" + HookProcess.IN_POD);
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

    // --- never past its deadline (issue 19 #1) ---------------------------------------------

    /**
     * A listener that accepts and never answers: every cli call is bounded by the time left, and
     * the message names the call. Under each shell with the system's timeout (coreutils).
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void aServerThatNeverAnswersEndsTheHookAtItsDeadlineNamingTheCall(Shell shell) throws IOException {
        try (SilentListener silent = new SilentListener()) {
            Result result = HookProcess.run(shell.apply(tight()), Map.of("REDIS_PORT", Integer.toString(silent.port())), tmp);

            assertSilentListenerFailure(result, silent.port());
        }
    }

    /** The same with busybox's own timeout applet, as in Alpine-based images. */
    @Test
    void aServerThatNeverAnswersEndsTheHookAtItsDeadlineWithBusyboxTimeout() throws IOException {
        Path bin = busyboxOnlyBin("timeout");
        Files.createSymbolicLink(bin.resolve("redis-cli"), RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI));
        try (SilentListener silent = new SilentListener()) {
            Result result = HookProcess.run(tight(), Map.of("REDIS_PORT", Integer.toString(silent.port())), tmp, bin.toString());

            assertSilentListenerFailure(result, silent.port());
        }
    }

    /** The same in a container without any timeout command: the script's own watchdog ends the call. */
    @Test
    void aServerThatNeverAnswersEndsTheHookAtItsDeadlineWithoutATimeoutCommand() throws IOException {
        Path bin = busyboxOnlyBin();
        Files.createSymbolicLink(bin.resolve("redis-cli"), RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI));
        assertThat(bin.resolve("timeout")).doesNotExist();
        try (SilentListener silent = new SilentListener()) {
            Result result = HookProcess.run(tight(), Map.of("REDIS_PORT", Integer.toString(silent.port())), tmp, bin.toString());

            assertSilentListenerFailure(result, silent.port());
        }
    }

    private static void assertSilentListenerFailure(Result result, int port) {
        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: INFO persistence at 127.0.0.1:" + port + ": no reply within ")
                .contains("the time left before the deadline of 2s")
                .endsWith("; no fresh RDB" + HookProcess.IN_POD);
        // The deadline is 2 s; busybox's timeout and the watchdog work in whole seconds.
        assertThat(result.elapsed()).isGreaterThan(Duration.ofMillis(900)).isLessThan(Duration.ofMillis(3200));
    }

    /**
     * Issue 19 #1 and #10: a server blocked by DEBUG SLEEP while the hook polls its own save. The
     * poll that hangs is cut at the deadline and named; the old script waited out the sleep and
     * then blamed "our BGSAVE".
     */
    @Test
    void aServerBlockedWhileItsOwnSaveRunsEndsTheHookAtItsDeadlineNamingTheCall() throws Exception {
        RedisServer redis = start("redis");
        slowSave(redis, 8000);
        ExecutorService sleeper = Executors.newSingleThreadExecutor();
        try {
            Future<Object> sleep = sleeper.submit(() -> {
                RedisServer.await(() -> redis.infoLong("rdb_saves") == 1, Duration.ofSeconds(5), "the hook's BGSAVE");
                return redis.call("DEBUG", "SLEEP", "4");
            });

            Result result = HookProcess.run(tight(), Map.of("REDIS_PORT", port(redis)), tmp);

            assertThat(result.failureLine())
                    .startsWith("first-ordinal hook: INFO persistence at 127.0.0.1:" + redis.port() + ": no reply within ")
                    .contains("DEBUG SLEEP")
                    .doesNotContain("our BGSAVE");
            assertThat(result.elapsed()).isLessThan(Duration.ofMillis(3200));
            assertThat(sleep.get(20, TimeUnit.SECONDS)).isEqualTo("OK");
        } finally {
            sleeper.shutdownNow();
        }
    }

    // --- replicas (issue 19 #2) -------------------------------------------------------------

    /**
     * A replica in its initial full sync holds an empty (or old) dataset: the hook waits for the
     * sync to finish and the link to be up, then saves the master's data.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void onAReplicaInItsInitialSyncItWaitsForTheSyncAndSavesTheMastersData(Shell shell) {
        RedisServer master = start("master", "--repl-diskless-sync-delay", "0");
        master.call("SET", "k", "on the master " + shell);
        slowSave(master, 1500); // the full sync takes about 1.5 s
        RedisServer replica = start("replica", "--replicaof", "127.0.0.1", port(master));
        replica.awaitInfo("master_sync_in_progress", "1", "replication", Duration.ofSeconds(10));

        Result result = hook(shell, Map.of("REDIS_PORT", port(replica)));

        assertThat(result.successLine())
                .contains("BGSAVE finished")
                .matches(".*; replica of 127\\.0\\.0\\.1:" + master.port() + ": link up, last I/O from master \\d+s ago \\(bound 15s\\)" + Pattern.quote(HookProcess.IN_POD));
        assertThat(keysIn(copyOfRdb(replica))).containsEntry("k", "on the master " + shell);
    }

    /** A replica whose link to its master is down holds stale data: no backup from it. */
    @Test
    void onAReplicaWhoseLinkIsDownItFailsWithoutSaving() {
        RedisServer master = start("master");
        RedisServer replica = start("replica", "--replicaof", "127.0.0.1", port(master));
        replica.awaitInfo("master_link_status", "up", "replication", Duration.ofSeconds(15));
        master.close();
        RedisServer.await(() -> {
            String down = replica.info("master_link_down_since_seconds", "replication");
            return down != null && Long.parseLong(down) >= 2;
        }, Duration.ofSeconds(10), "the replica's link down for 2 s");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(replica), "FIRST_ORDINAL_MAX_REPLICA_LAG", "1"));

        assertThat(result.failureLine()).matches("first-ordinal hook: replica at 127\\.0\\.0\\.1:" + replica.port()
                + ": master_link_status:down for \\d+s \\(bound 1s\\), its data from master 127\\.0\\.0\\.1:" + master.port()
                + " is stale; no backup taken from it" + Pattern.quote(HookProcess.IN_POD));
        assertThat(result.elapsed()).isLessThan(FAST);
        assertThat(replica.infoLong("rdb_saves")).isZero();
    }

    /** With a link down for less than the bound the hook waits for it, and says so at its deadline. */
    @Test
    void onAReplicaWhoseLinkJustWentDownItWaitsUntilItsDeadline() {
        RedisServer master = start("master");
        RedisServer replica = start("replica", "--replicaof", "127.0.0.1", port(master));
        replica.awaitInfo("master_link_status", "up", "replication", Duration.ofSeconds(15));
        master.close();
        replica.awaitInfo("master_link_status", "down", "replication", Duration.ofSeconds(10));

        Result result = HookProcess.run(tight(), Map.of("REDIS_PORT", port(replica)), tmp);

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: deadline of 2s reached while waiting for the replica's link"
                + " to its master 127.0.0.1:" + master.port() + " to come up (master_link_status:down); no fresh RDB"
                + " (raise pre.hook.backup.velero.io/timeout)" + HookProcess.IN_POD);
        assertThat(replica.infoLong("rdb_saves")).isZero();
    }

    // --- a server still loading (issue 19 #7) ----------------------------------------------

    @Test
    void waitsForAServerStillLoadingItsData() throws IOException {
        RedisServer source = start("source");
        source.call("DEBUG", "POPULATE", "2000", "filler", "16");
        source.call("SET", "k", "loaded at start");
        source.call("SAVE");
        Path home = Files.createDirectories(tmp.resolve("loading-" + servers.size()).resolve("data"));
        Files.copy(source.rdb(), home.resolve("dump.rdb"));
        // 1 ms per key: about 2 s of loading, answering INFO (and LOADING errors) meanwhile.
        RedisServer loading = RedisServer.start(tmp, "loading-" + servers.size(), "--key-load-delay", "1000",
                "--loading-process-events-interval-bytes", "1024");
        servers.add(loading);
        assertThat(loading.info("loading")).isEqualTo("1");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(loading)));

        assertThat(result.successLine()).contains("BGSAVE finished").contains("(rdb_saves 1)");
        assertThat(keysIn(copyOfRdb(loading))).containsEntry("k", "loaded at start");
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

    // --- Bitnami's and Valkey's variables (issue 19 #3) ----------------------------------------

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void takesThePasswordFromBitnamisPasswordFileBeforeThePasswordVariable(Shell shell) throws IOException {
        RedisServer redis = start("redis", "--requirepass", "from-the-file");
        Path secret = Files.writeString(tmp.resolve("redis-password"), "from-the-file"); // no newline, as a Secret volume has it

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis), "REDIS_PASSWORD_FILE", secret.toString(),
                "REDIS_PASSWORD", "stale"));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @Test
    void anUnreadablePasswordFileWithoutAPasswordFailsNamingIt() {
        RedisServer redis = start("redis", "--requirepass", "s3cret");
        Path missing = tmp.resolve("no-such-secret");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", port(redis), "REDIS_PASSWORD_FILE", missing.toString()));

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: REDIS_PASSWORD_FILE (" + missing + ") is not readable" + HookProcess.IN_POD);
    }

    /** Bitnami's Valkey chart: VALKEY_PASSWORD and VALKEY_PORT_NUMBER in a container named valkey. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void takesThePasswordAndPortFromBitnamisValkeyVariables(Shell shell) {
        RedisServer redis = start("valkey", "--requirepass", "s3cret");

        Result result = hook(shell, Map.of("VALKEY_PORT_NUMBER", port(redis), "VALKEY_PASSWORD", "s3cret"));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(1);
    }

    @Test
    void takesThePasswordFromBitnamisValkeyPasswordFile() throws IOException {
        RedisServer redis = start("valkey", "--requirepass", "s3cret");
        Path secret = Files.writeString(tmp.resolve("valkey-password"), "s3cret\n");

        Result result = hook(Shell.SH, Map.of("VALKEY_PORT_NUMBER", port(redis), "VALKEY_PASSWORD_FILE", secret.toString()));

        assertThat(result.successLine()).contains("BGSAVE finished");
    }

    /** Bitnami's order: REDIS_TLS_PORT_NUMBER, then REDIS_TLS_PORT; and the CA as a directory. */
    @Test
    void connectsWithTlsToBitnamisTlsPortNumberAndCaDirectory() throws Exception {
        CertificateFiles certs = CertificateFiles.write(tmp.resolve("tls"));
        Path caDir = certs.hashedCaDirectory(tmp.resolve("ca-dir"));
        int tlsPort = RedisServer.freePort();
        RedisServer redis = start("redis", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.cert().toString(), "--tls-key-file", certs.key().toString(),
                "--tls-ca-cert-file", certs.ca().toString(), "--tls-auth-clients", "no");

        Result result = hook(Shell.SH, Map.of(
                "REDIS_TLS_ENABLED", "yes",
                "REDIS_TLS_PORT_NUMBER", Integer.toString(tlsPort),
                "REDIS_TLS_PORT", Integer.toString(RedisServer.freePort()),
                "REDIS_TLS_CA_DIR", caDir.toString()));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.rdb()).exists();
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void connectsWithTlsFromBitnamisValkeyVariables(Shell shell) throws Exception {
        CertificateFiles certs = CertificateFiles.write(tmp.resolve("tls"));
        Path[] client = selfSignedClientCertificate(tmp.resolve("client"));
        Path trusted = tmp.resolve("trusted.crt"); // the server trusts the client's self-signed certificate
        Files.writeString(trusted, Files.readString(certs.ca()) + Files.readString(client[0]));
        int tlsPort = RedisServer.freePort();
        RedisServer redis = start("valkey", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.cert().toString(), "--tls-key-file", certs.key().toString(),
                "--tls-ca-cert-file", trusted.toString(), "--tls-auth-clients", "yes", "--requirepass", "s3cret");

        Result result = hook(shell, Map.of(
                "VALKEY_TLS_ENABLED", "yes",
                "VALKEY_TLS_PORT_NUMBER", Integer.toString(tlsPort),
                "VALKEY_TLS_CA_FILE", certs.ca().toString(),
                "VALKEY_TLS_CERT_FILE", client[0].toString(),
                "VALKEY_TLS_KEY_FILE", client[1].toString(),
                "VALKEY_PASSWORD", "s3cret"));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(redis.rdb()).exists();
    }

    // --- ACL users (issue 19 #4) and unix sockets (#5) -----------------------------------------

    /** The minimum ACL docs/hook.md states: INFO and BGSAVE, no keys, no channels. */
    static final String[] MINIMUM_ACL = {"on", ">backup-pw", "resetkeys", "resetchannels", "-@all", "+info", "+bgsave"};

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void authenticatesAsAnAclUserWithTheMinimumAcl(Shell shell) {
        RedisServer redis = start("redis", "--requirepass", "default-pw");
        List<String> setuser = new ArrayList<>(List.of("ACL", "SETUSER", "backup"));
        setuser.addAll(List.of(MINIMUM_ACL));
        redis.call(setuser.toArray(String[]::new));
        redis.call("SET", "k", "v");

        Result result = hook(shell, Map.of("REDIS_PORT", port(redis), "REDIS_USERNAME", "backup", "REDISCLI_AUTH", "backup-pw"));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(keysIn(copyOfRdb(redis))).containsEntry("k", "v");
    }

    @Test
    void authenticatesAsAValkeyUserAndNamesTheUserWhenItFails() {
        RedisServer redis = start("valkey", "--requirepass", "default-pw");
        redis.call("ACL", "SETUSER", "backup", "on", ">backup-pw", "+info", "+bgsave");

        Result ok = hook(Shell.SH, Map.of("VALKEY_PORT_NUMBER", port(redis), "VALKEY_USERNAME", "backup", "VALKEY_PASSWORD", "backup-pw"));
        Result wrong = hook(Shell.SH, Map.of("VALKEY_PORT_NUMBER", port(redis), "VALKEY_USERNAME", "backup", "VALKEY_PASSWORD", "default-pw"));

        assertThat(ok.successLine()).contains("BGSAVE finished");
        assertThat(wrong.failureLine()).startsWith("first-ordinal hook: authentication failed at 127.0.0.1:" + redis.port()
                + " (user backup, password from VALKEY_PASSWORD): ").contains("WRONGPASS");
    }

    /** A server with {@code port 0} listens only on its unix socket. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void connectsToAUnixSocketOnlyServer(Shell shell) {
        Path socket = tmp.resolve("redis-" + shell + ".sock");
        RedisServer redis = start("redis", "--unixsocket", socket.toString(), "--unixsocketperm", "700");
        redis.call("SET", "k", "over the socket");
        redis.call("CONFIG", "SET", "port", "0"); // from here on only the socket answers

        Result result = hook(shell, Map.of("REDIS_SOCKET", socket.toString()));

        assertThat(result.successLine()).contains("BGSAVE finished");
        assertThat(keysIn(copyOfRdb(redis))).containsEntry("k", "over the socket");
    }

    // --- TLS failures named (issue 19 #9) ------------------------------------------------------

    @Test
    void aMissingClientCertificateIsReportedAsATlsFailure() throws Exception {
        CertificateFiles certs = CertificateFiles.write(tmp.resolve("tls"));
        int tlsPort = RedisServer.freePort();
        start("redis", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.cert().toString(), "--tls-key-file", certs.key().toString(),
                "--tls-ca-cert-file", certs.ca().toString(), "--tls-auth-clients", "yes");

        Result result = hook(Shell.SH, Map.of("REDIS_TLS_ENABLED", "yes", "REDIS_TLS_PORT_NUMBER", Integer.toString(tlsPort),
                "REDIS_TLS_CA_FILE", certs.ca().toString()));

        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: TLS connection failed at 127.0.0.1:" + tlsPort + " (TLS): ")
                .contains("client certificate");
    }

    @Test
    void plainTextToATlsPortIsReportedAsATlsMismatch() throws Exception {
        CertificateFiles certs = CertificateFiles.write(tmp.resolve("tls"));
        int tlsPort = RedisServer.freePort();
        start("redis", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.cert().toString(), "--tls-key-file", certs.key().toString(),
                "--tls-ca-cert-file", certs.ca().toString(), "--tls-auth-clients", "no");

        Result result = hook(Shell.SH, Map.of("REDIS_PORT", Integer.toString(tlsPort)));

        assertThat(result.failureLine())
                .startsWith("first-ordinal hook: INFO persistence failed at 127.0.0.1:" + tlsPort + ": the server closed the connection")
                .contains("TLS-only port? then set REDIS_TLS_ENABLED=yes");
    }

    // --- INFO fields (issue 19 #10) ------------------------------------------------------------

    /** An INFO reply missing a field the hook needs fails at once, naming it (it used to loop to the deadline). */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Shell.class)
    void anInfoFieldMissingAfterBgsaveFailsAtOnceNamingIt(Shell shell) throws IOException {
        RedisServer redis = start("redis");
        Path shim = Files.createDirectories(tmp.resolve("shim-cli"));
        Path cli = shim.resolve("redis-cli");
        Path asked = tmp.resolve("bgsave-sent");
        // A real redis-cli whose INFO replies lose rdb_saves once BGSAVE has been sent.
        Files.writeString(cli, "#!/bin/sh\ncase \"$*\" in *BGSAVE*) : > " + asked + ";; esac\n"
                + "if [ -e " + asked + " ]; then " + RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI)
                + " \"$@\" | sed '/^rdb_saves:/d'; else exec " + RedisServer.onPath("redis-cli", RedisServer.REDIS_CLI) + " \"$@\"; fi\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result result = HookProcess.run(shell.apply(tight()), Map.of("REDIS_PORT", port(redis)), tmp, shim + ":" + HookProcess.PATH);

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: INFO at 127.0.0.1:" + redis.port() + " has no numeric rdb_saves field (got '')" + HookProcess.IN_POD);
        assertThat(result.elapsed()).isLessThan(Duration.ofMillis(1500));
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

        assertThat(result.failureLine()).isEqualTo("first-ordinal hook: neither redis-cli nor valkey-cli found on PATH" + HookProcess.IN_POD);
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

        assertThat(result.successLine()).matches("first-ordinal hook: BGSAVE finished in \\d+\\.\\d\\ds, RDB saved at \\d+; pod "
                + Pattern.quote(HookProcess.HOSTNAME));
        assertThat(redis.infoLong("rdb_saves")).isEqualTo(2);
        assertThat(keysIn(copyOfRdb(redis))).containsEntry("late", "written after the running save forked");
    }

    // --- helpers ---------------------------------------------------------------------------

    private RedisServer start(String name, String... args) {
        RedisServer server = RedisServer.start(tmp, name + "-" + servers.size(), args);
        servers.add(server);
        return server;
    }

    /** The argv for a 4 s Velero timeout: the script's deadline is then 2 s. */
    private static List<String> tight() {
        List<String> tight = HookProcess.argvFromAnnotation("4s");
        assertThat(tight.get(2)).contains("deadline=2\n");
        return tight;
    }

    private static long connectedReplicas(RedisServer master) {
        return Long.parseLong(master.info("connected_slaves", "replication"));
    }

    /** A loopback listener that accepts connections and never answers. */
    private static final class SilentListener implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentListener() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try {
                    while (!server.isClosed()) {
                        accepted.add(server.accept());
                    }
                } catch (IOException closed) {
                    // close() ends the loop
                }
            }, "silent-listener");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
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

    /**
     * A second server with AOF on, started on a copy of the first one's AOF directory (base,
     * increments and manifest), as a restore would load it.
     */
    private RedisServer copyOfAof(RedisServer redis) {
        assertThat(redis.aofDir().resolve("appendonly.aof.manifest")).exists();
        String name = "restored-" + servers.size();
        try {
            Path data = Files.createDirectories(tmp.resolve(name).resolve("data").resolve("appendonlydir"));
            try (Stream<Path> files = Files.list(redis.aofDir())) {
                for (Path file : files.toList()) {
                    Files.copy(file, data.resolve(file.getFileName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisServer copy = RedisServer.start(tmp, name, "--appendonly", "yes");
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

    /** A bin directory with busybox's sh, date, sed, tr and sleep (and {@code extra} applets) and nothing else. */
    private Path busyboxOnlyBin(String... extra) throws IOException {
        Path busybox = RedisServer.onPath("busybox", RedisServer.BUSYBOX);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        List<String> tools = new ArrayList<>(List.of("sh", "date", "sed", "tr", "sleep"));
        tools.addAll(List.of(extra));
        for (String tool : tools) {
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

        /** A directory holding the CA under its OpenSSL subject-hash name, as {@code --tls-ca-cert-dir} wants it. */
        Path hashedCaDirectory(Path dir) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            Files.copy(ca, dir.resolve("ca.crt"));
            Process rehash = new ProcessBuilder(RedisServer.onPath("openssl", "the CA-directory test hashes it with openssl rehash"
                    + " (apt-get install openssl)").toString(), "rehash", dir.toString()).redirectErrorStream(true).start();
            String out = new String(rehash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rehash.waitFor()).as("openssl rehash: %s", out).isZero();
            return dir;
        }
    }

    /** A self-signed client certificate (clientAuth) and its key, made with openssl: {cert, key}. */
    private static Path[] selfSignedClientCertificate(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path cert = dir.resolve("client.crt");
        Path key = dir.resolve("client.key");
        Process req = new ProcessBuilder(RedisServer.onPath("openssl", "the client-certificate test makes one with openssl"
                + " (apt-get install openssl)").toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=first-ordinal hook", "-days", "1",
                "-addext", "extendedKeyUsage=clientAuth").redirectErrorStream(true).start();
        String out = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(req.waitFor()).as("openssl req: %s", out).isZero();
        return new Path[] {cert, key};
    }
}
