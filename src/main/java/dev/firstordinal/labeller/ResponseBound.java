package dev.firstordinal.labeller;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Cuts an answer from the API server off past {@link #MAX_BYTES}: label-self reads one pod and patches it, and a
 * pod is at most ~1.5 MiB (etcd's object limit), so anything larger is not the API server's answer. Without it a
 * 100 MB answer (a wrong endpoint, a proxy) ran the init container's JVM out of heap and crash-looped the pod.
 */
final class ResponseBound implements Interceptor {

    static final String NAME = "first-ordinal-response-bound";
    static final long MAX_BYTES = 8L * 1024 * 1024;

    private final long maxBytes;

    /** An answer cut off at the bound. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    ResponseBound(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public AsyncBody.Consumer<List<ByteBuffer>> consumer(AsyncBody.Consumer<List<ByteBuffer>> consumer, HttpRequest request) {
        long[] received = new long[1];
        return (buffers, body) -> {
            for (ByteBuffer buffer : buffers) {
                received[0] += buffer.remaining();
            }
            if (received[0] > maxBytes) {
                throw new TooLarge("the API server's answer to " + request.method() + " " + request.uri().getPath()
                        + " exceeds " + maxBytes + " bytes: not a Kubernetes API answer");
            }
            consumer.consume(buffers, body);
        };
    }
}
