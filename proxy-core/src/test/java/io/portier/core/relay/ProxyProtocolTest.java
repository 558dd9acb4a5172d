package io.portier.core.relay;

import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProxyProtocolTest {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private static String config(String backend, String proxyProtocol) {
        return """
                portier {
                  workers = 1
                  listeners.l { bind = "127.0.0.1:0", pool = p, proxy-protocol { %s } }
                  pools.p { servers = [{ name = s, address = "%s" }], health.type = none }
                }
                """.formatted(proxyProtocol, backend);
    }

    /** A server that records everything it receives until the client half-closes. */
    private static EchoServer recording(CompletableFuture<byte[]> received) throws Exception {
        return new EchoServer(s -> received.complete(s.getInputStream().readAllBytes()));
    }

    @Test
    void sendsAVersionOneHeaderBeforeTheClientsBytes() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (EchoServer backend = recording(received);
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "send = v1"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            String got = new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.US_ASCII);
            assertThat(got).isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort() + " "
                    + proxy.port("l") + "\r\nhello");
        }
    }

    /**
     * A protocol where the server speaks first (SMTP, FTP, MySQL): the server waits for the header
     * before its greeting, and the client sends nothing until it has the greeting, so the header
     * must go out as soon as the server is connected, not with the client's first bytes.
     */
    @Test
    void sendsTheHeaderAtOnceWhenTheServerSpeaksFirst() throws Exception {
        try (EchoServer backend = new EchoServer(s -> {
                 StringBuilder line = new StringBuilder();
                 InputStream in = s.getInputStream();
                 for (int c; !line.toString().endsWith("\r\n") && (c = in.read()) >= 0; ) {
                     line.append((char) c);
                 }
                 s.getOutputStream().write(("220 hello " + line.toString().trim() + "\r\n")
                         .getBytes(StandardCharsets.US_ASCII));
                 s.getOutputStream().flush();
                 in.readAllBytes();
             });
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "send = v1"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(5000);
            String greeting = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertThat(greeting).isEqualTo("220 hello PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort()
                    + " " + proxy.port("l"));
        }
    }

    @Test
    void sendsAVersionTwoHeaderBeforeTheClientsBytes() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (EchoServer backend = recording(received);
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "send = v2"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            byte[] got = received.get(5, TimeUnit.SECONDS);
            // signature, version 2 + PROXY, TCP over IPv4, 12 address bytes, then the payload
            assertThat(java.util.Arrays.copyOf(got, 12)).isEqualTo(V2_SIGNATURE);
            assertThat(got[12]).isEqualTo((byte) 0x21);
            assertThat(got[13]).isEqualTo((byte) 0x11);
            int length = ((got[14] & 0xff) << 8) | (got[15] & 0xff);
            assertThat(length).isEqualTo(12);
            int clientPort = ((got[24] & 0xff) << 8) | (got[25] & 0xff);
            int frontPort = ((got[26] & 0xff) << 8) | (got[27] & 0xff);
            assertThat(clientPort).isEqualTo(client.getLocalPort());
            assertThat(frontPort).isEqualTo(proxy.port("l"));
            assertThat(new String(got, 28, got.length - 28, StandardCharsets.US_ASCII)).isEqualTo("hello");
        }
    }

    @Test
    void acceptedHeaderNamesTheClientInTheAccessLogAndIsNotForwarded() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = recording(received);
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "accept = v1"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.getOutputStream().write("PROXY TCP4 192.0.2.10 127.0.0.1 51000 443\r\npayload"
                    .getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.US_ASCII)).isEqualTo("payload");
            client.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("client=192.0.2.10:51000")));
        }
    }

    @Test
    void acceptThenSendPassesTheOriginalClientOn() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (EchoServer backend = recording(received);
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "accept = v1, send = v1"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.getOutputStream().write("PROXY TCP4 192.0.2.10 127.0.0.1 51000 443\r\nx"
                    .getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.US_ASCII))
                    .isEqualTo("PROXY TCP4 192.0.2.10 127.0.0.1 51000 " + proxy.port("l") + "\r\nx");
        }
    }

    @Test
    void garbageInsteadOfAHeaderClosesOnlyThatConnection() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "accept = v1"))) {
            try (Socket bad = new Socket("127.0.0.1", proxy.port("l"))) {
                bad.setSoTimeout(5000);
                bad.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readToEnd(bad.getInputStream())).isEmpty();
            }
            try (Socket good = new Socket("127.0.0.1", proxy.port("l"))) {
                good.setSoTimeout(5000);
                good.getOutputStream().write("PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\nping".getBytes(StandardCharsets.US_ASCII));
                byte[] echo = new byte[4];
                new DataInputStream(good.getInputStream()).readFully(echo);
                assertThat(new String(echo, StandardCharsets.US_ASCII)).isEqualTo("ping");
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("server=-") && l.endsWith("end=error")));
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    @Test
    void headerOfTheWrongVersionIsRefused() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "accept = v2"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(5000);
            client.getOutputStream().write("PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\nping".getBytes(StandardCharsets.US_ASCII));
            assertThat(readToEnd(client.getInputStream())).isEmpty();
            assertThat(backend.accepted()).isZero();
        }
    }

    private static byte[] readToEnd(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException reset) {
            return new byte[0];
        }
    }
}
