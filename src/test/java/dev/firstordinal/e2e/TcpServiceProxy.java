package dev.firstordinal.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a Service and kube-proxy do for the webhook's replicas, on loopback: each TCP connection to
 * one port goes to the next backend that accepts it (TLS passes through untouched). A dead backend
 * is skipped, as kube-proxy stops routing to a pod whose endpoint is gone.
 */
final class TcpServiceProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "e2e-service-proxy");
        t.setDaemon(true);
        return t;
    });

    TcpServiceProxy(List<Integer> backends) throws IOException {
        this.backends = List.copyOf(backends);
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                threads.submit(() -> route(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void route(Socket client) {
        for (int tries = 0; tries < backends.size(); tries++) {
            int port = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            Socket backend = new Socket();
            try {
                backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            } catch (IOException refused) {
                closeQuietly(backend);
                continue;
            }
            threads.submit(() -> pipe(client, backend));
            pipe(backend, client);
            return;
        }
        closeQuietly(client);
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}
