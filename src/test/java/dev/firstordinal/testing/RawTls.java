package dev.firstordinal.testing;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

/**
 * A TLS socket to 127.0.0.1 that sends exactly the bytes a test writes (HTTP/1.1 by hand: slow, partial,
 * pipelined or lying requests), trusting only the given CA and presenting {@code serverName}.
 */
public final class RawTls implements AutoCloseable {

    /** One HTTP/1.1 answer as read off the socket. */
    public record Answer(int status, String headers, String body) {
    }

    private final SSLSocket socket;

    private RawTls(SSLSocket socket) {
        this.socket = socket;
    }

    public static SSLContext trusting(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** Connects and completes the handshake; reads time out after {@code readTimeoutMillis}. */
    public static RawTls connect(SSLContext tls, int port, String serverName, int readTimeoutMillis) throws IOException {
        return connect(tls, null, port, serverName, readTimeoutMillis);
    }

    /**
     * As {@link #connect(SSLContext, int, String, int)}, from the local address {@code source} (null: any) and
     * offering {@code applicationProtocols} by ALPN (none: no ALPN extension).
     */
    public static RawTls connect(SSLContext tls, java.net.InetAddress source, int port, String serverName, int readTimeoutMillis,
                                 String... applicationProtocols) throws IOException {
        java.net.Socket plain = new java.net.Socket();
        if (source != null) {
            plain.bind(new java.net.InetSocketAddress(source, 0));
        }
        plain.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        if (applicationProtocols.length > 0) {
            parameters.setApplicationProtocols(applicationProtocols);
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(readTimeoutMillis);
        socket.startHandshake();
        return new RawTls(socket);
    }

    public static byte[] postHead(long contentLength) {
        return postHead(contentLength, "/mutate");
    }

    public static byte[] postHead(long contentLength, String path) {
        return ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] post(byte[] body) {
        return post(body, "/mutate");
    }

    /** A POST of {@code body} to {@code path} (the request target exactly as given). */
    public static byte[] post(byte[] body, String path) {
        byte[] head = postHead(body.length, path);
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    public SSLSocket socket() {
        return socket;
    }

    public void write(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Reads one answer (headers, then a Content-Length body). */
    public Answer read() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of headers: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headers.substring(9, 12));
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the server closed the connection (EOF or reset) before {@code readTimeoutMillis} passed. */
    public boolean closedByServer() {
        try {
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // discard whatever answer came first
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
