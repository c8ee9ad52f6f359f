package dev.firstordinal.admission;

import dev.firstordinal.testing.Fixtures;
import dev.firstordinal.testing.TestTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TLS port speaks TLS 1.2 and 1.3 only, and nothing in plain HTTP. The client side is
 * {@code openssl s_client} with its own security level lowered, so that a refusal of TLS 1.1 is
 * the webhook's doing and not the client's defaults.
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class TransportSecurityTest {

    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;

    @Test
    void refusesTls11AndTls10Handshakes() throws Exception {
        assertThat(handshake("-tls1_1")).contains("alert protocol version").doesNotContain("Cipher is ECDHE");
        assertThat(handshake("-tls1")).contains("alert protocol version").doesNotContain("Cipher is ECDHE");
    }

    @Test
    void acceptsTls12AndTls13Handshakes() throws Exception {
        assertThat(handshake("-tls1_2")).contains("Protocol  : TLSv1.2").containsPattern("Cipher is [A-Z]");
        assertThat(handshake("-tls1_3")).contains("TLSv1.3").containsPattern("Cipher is [A-Z]");
    }

    @Test
    void offersOnlyAeadSuitesOnTls12() throws Exception {
        for (String cbc : new String[] {"AES128-SHA", "AES256-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA", "AES128-SHA256"}) {
            assertThat(handshake("-tls1_2", cbc + ":@SECLEVEL=0")).as(cbc).doesNotContain("Cipher is " + cbc).doesNotContainPattern("Cipher is [A-Z]");
        }
        assertThat(handshake("-tls1_2", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"))
                .containsPattern("Cipher is ECDHE-(ECDSA|RSA)-AES128-GCM-SHA256");
    }

    @Test
    void answersNoPlainHttpRequestOnTheTlsPort() throws Exception {
        byte[] body = Fixtures.reviewBytes("first-ordinal-redis");
        try (Socket socket = new Socket("127.0.0.1", mutate.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = readSome(socket.getInputStream());
            assertThat(answer).doesNotContain("HTTP/1.1 200").doesNotContain("AdmissionReview");
        }
    }

    private String handshake(String protocolFlag) throws Exception {
        return handshake(protocolFlag, "DEFAULT:@SECLEVEL=0");
    }

    private String handshake(String protocolFlag, String ciphers) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + mutate.getPort(),
                "-servername", "localhost", protocolFlag, "-cipher", ciphers)
                .redirectErrorStream(true).start();
        openssl.getOutputStream().close();
        assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).as("openssl s_client finished").isTrue();
        return new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String readSome(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            int n = in.read(buffer);
            return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        } catch (IOException closedOrReset) {
            return "";
        }
    }
}
