package dev.firstordinal.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Redis connection from the test JVM to a pod's IP (the node's bridge routes to the pod network), speaking RESP:
 * enough for SET, EXISTS, DBSIZE and pipelined writes, so that the tests count acknowledged writes exactly.
 */
final class RedisWire implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RedisWire(String host) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, 6379), 5_000);
            socket.setSoTimeout(15_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to Redis at " + host + ":6379", e);
        }
    }

    /** One command; the reply as text (status, integer or bulk string; null for a null bulk). An error reply throws. */
    String call(String... args) {
        try {
            out.write(encode(args));
            out.flush();
            return reply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code SET key key} for every key, pipelined; returns once every write is acknowledged. */
    void setAll(List<String> keys) {
        try {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (String key : keys) {
                batch.write(encode("SET", key, key));
            }
            out.write(batch.toByteArray());
            out.flush();
            for (String key : keys) {
                String reply = reply();
                if (!"OK".equals(reply)) {
                    throw new IllegalStateException("SET " + key + ": " + reply);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many of {@code keys} exist ({@code EXISTS}, in batches). */
    long exists(List<String> keys) {
        long found = 0;
        for (int from = 0; from < keys.size(); from += 1000) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + 1000));
            String[] args = new String[batch.size() + 1];
            args[0] = "EXISTS";
            for (int i = 0; i < batch.size(); i++) {
                args[i + 1] = batch.get(i);
            }
            found += Long.parseLong(call(args));
        }
        return found;
    }

    private static byte[] encode(String... args) {
        StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        return command.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String reply() throws IOException {
        String line = line();
        switch (line.charAt(0)) {
            case '+', ':' -> {
                return line.substring(1);
            }
            case '-' -> throw new IllegalStateException("Redis: " + line.substring(1));
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    return null;
                }
                byte[] bulk = in.readNBytes(length + 2);
                return new String(bulk, 0, length, StandardCharsets.UTF_8);
            }
            default -> throw new IllegalStateException("unexpected Redis reply: " + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed by Redis");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing to keep
        }
    }
}
