package dev.firstordinal.hook;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * A real {@code redis-server} on a free loopback port, with its own data directory under a test's
 * temp directory. Test setup talks to it over a plain socket (RESP), not through the hook's cli.
 * {@link #close()} stops the process the test started, and only that one.
 */
final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Path log;
    private final String password;

    private RedisServer(Process process, int port, Path dataDir, Path log, String password) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
        this.password = password;
    }

    /**
     * Starts {@code redis-server} with its data in {@code root/name/data} and its log in
     * {@code root/name/redis.log}, no save points, AOF off (extra arguments may change that),
     * and DEBUG allowed from loopback.
     */
    static RedisServer start(Path root, String name, String... extraArgs) {
        String redisServer = onPath("redis-server", REDIS_SERVER).toString();
        String password = null;
        for (int i = 0; i + 1 < extraArgs.length; i++) {
            if (extraArgs[i].equals("--requirepass")) {
                password = extraArgs[i + 1];
            }
        }
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            try {
                Path home = Files.createDirectories(root.resolve(name));
                Path dataDir = Files.createDirectories(home.resolve("data"));
                Path log = home.resolve("redis.log");
                List<String> command = new ArrayList<>(List.of(redisServer,
                        "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--dir", dataDir.toString(), "--dbfilename", "dump.rdb",
                        "--logfile", log.toString(), "--daemonize", "no",
                        "--save", "", "--appendonly", "no", "--enable-debug-command", "local"));
                command.addAll(List.of(extraArgs));
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(home.resolve("redis.out").toFile())
                        .start();
                RedisServer server = new RedisServer(process, port, dataDir, log, password);
                if (server.awaitReady()) {
                    return server;
                }
                server.close();
                lastFailure = new IOException("redis-server on port " + port + " did not start: " + server.logTail());
            } catch (IOException e) {
                lastFailure = e;
            }
        }
        throw new UncheckedIOException("could not start redis-server", lastFailure);
    }

    static final String REDIS_SERVER = "the hook tests run against a real Redis; install it (apt-get install redis-server)";
    static final String REDIS_CLI = "the hook needs redis-cli; install it (apt-get install redis-tools)";
    static final String BUSYBOX = "the hook must also run under busybox sh, as in Alpine-based images; install it (apt-get install busybox)";

    /** A binary on the PATH; a missing one fails the test, saying why it is needed (never skips it). */
    static Path onPath(String binary, String why) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(binary + " is not on the PATH: " + why);
    }

    /** A loopback port nobody listens on (just now). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path rdb() {
        return dataDir.resolve("dump.rdb");
    }

    /** The directory of the multi-part AOF (Redis 7.0+: base, incr files and manifest). */
    Path aofDir() {
        return dataDir.resolve("appendonlydir");
    }

    /** One command on a fresh connection (authenticated when the server has a password). */
    Object call(String... args) {
        try (Resp resp = connect()) {
            if (password != null) {
                resp.call("AUTH", password);
            }
            return resp.call(args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis on port " + port + ": " + String.join(" ", args), e);
        }
    }

    /** One field of {@code INFO persistence}, e.g. {@code rdb_saves}; null when absent. */
    String info(String field) {
        return info(field, "persistence");
    }

    /** One field of an INFO section, e.g. {@code master_link_status} of {@code replication}; null when absent. */
    String info(String field, String section) {
        String info = (String) call("INFO", section);
        return info.lines()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).strip())
                .findFirst()
                .orElse(null);
    }

    long infoLong(String field) {
        return Long.parseLong(info(field));
    }

    void awaitInfo(String field, String value, Duration timeout) {
        await(() -> value.equals(info(field)), timeout, field + ":" + value);
    }

    void awaitInfo(String field, String value, String section, Duration timeout) {
        await(() -> value.equals(info(field, section)), timeout, field + ":" + value);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + timeout.toSeconds() + "s waiting for " + what);
            }
            sleep(50);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: Redis also stops a save child it has running
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitReady() {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                return false;
            }
            try (Resp resp = connect()) {
                resp.call("PING");
                return true;
            } catch (RedisError e) {
                return true; // NOAUTH: up, and wants a password
            } catch (IOException e) {
                sleep(50);
            }
        }
        return false;
    }

    private Resp connect() throws IOException {
        return new Resp(port);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An error reply from Redis. */
    static final class RedisError extends RuntimeException {
        RedisError(String message) {
            super(message);
        }
    }

    /** A minimal RESP2 client: enough for test setup. */
    static final class Resp implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Resp(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Sends one command; returns a String, Long, List or null; throws {@link RedisError} on an error reply. */
        Object call(String... args) throws IOException {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            write(request, "*" + args.length + "\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                write(request, "$" + bytes.length + "\r\n");
                request.write(bytes);
                write(request, "\r\n");
            }
            out.write(request.toByteArray());
            out.flush();
            return read();
        }

        private Object read() throws IOException {
            int type = in.read();
            if (type < 0) {
                throw new EOFException("connection closed");
            }
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new RedisError(line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = in.readNBytes(length + 2);
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                case '*': {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IOException("unexpected RESP type '" + (char) type + "'");
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new EOFException("connection closed");
                }
                buffer.write(c);
            }
            in.read(); // \n
            return buffer.toString(StandardCharsets.UTF_8);
        }

        private static void write(ByteArrayOutputStream out, String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
