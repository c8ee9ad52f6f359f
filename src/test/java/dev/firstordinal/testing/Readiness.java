package dev.firstordinal.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polling an HTTP endpoint (a readiness probe) until it answers a status, or stops answering it: the
 * one readiness wait of the packaged-jar and cluster tests ({@link JarProcess#awaitReady}) and of
 * Quarkus tests that wait for the management port.
 */
public final class Readiness {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Readiness() {
    }

    /** {@code http://127.0.0.1:<port>/q/health/ready}, the management port's readiness. */
    public static URI ready(int managementPort) {
        return URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
    }

    /** The status {@code uri} answers a GET with now; -1 when it does not answer (not listening, timeout). */
    public static int statusOf(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException notListening) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Polls until {@code uri} answers {@code status}. {@code check} runs before each poll and may throw
     * (a process that exited); {@code context} is added to the failure after {@code timeout}.
     */
    public static void awaitStatus(URI uri, int status, Duration timeout, Runnable check, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            check.run();
            if (statusOf(uri) == status) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(uri + " did not answer " + status + " within " + timeout + ":\n" + context.get());
    }

    /** Polls until {@code uri} answers anything but {@code status}; returns that (-1: not answering). */
    public static int awaitOtherStatus(URI uri, int status, Duration timeout, Supplier<String> context) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int now = statusOf(uri);
            if (now != status) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(uri + " still answered " + status + " after " + timeout + ":\n" + context.get());
    }
}
