package io.portier.core.relay;

import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HalfCloseTest {

    @Test
    void clientThatShutsItsOutputStillReceivesTheWholeReply() throws Exception {
        // The server reads the request to its end, then answers 1 MiB and closes.
        EchoServer.Behaviour answerAfterEof = s -> {
            byte[] request = s.getInputStream().readAllBytes();
            OutputStream out = s.getOutputStream();
            byte[] reply = new byte[1024 * 1024];
            java.util.Arrays.fill(reply, (byte) 'r');
            out.write(("got " + request.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(reply);
            out.flush();
        };
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(answerAfterEof);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend);
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("request body".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            byte[] reply = client.getInputStream().readAllBytes();
            String head = new String(reply, 0, 7, StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("got 12\n");
            assertThat(reply.length).isEqualTo(7 + 1024 * 1024);
            // The client ended first; the server's FIN then closes both sides, once, with every byte counted.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines()).singleElement()
                    .satisfies(l -> assertThat(l).contains("bytes_in=12 bytes_out=" + (7 + 1024 * 1024))
                            .endsWith("end=client-closed")));
            assertThat(proxy.portier().pools().get("p").server("s").active()).isZero();
        }
    }

    @Test
    void serverThatShutsItsOutputStillReceivesWhatTheClientSends() throws Exception {
        CompletableFuture<String> serverGot = new CompletableFuture<>();
        EchoServer.Behaviour greetThenListen = s -> {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.shutdownOutput();
            serverGot.complete(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        };
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(greetThenListen);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend);
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(10_000);
            byte[] greeting = client.getInputStream().readAllBytes(); // ends at the server's FIN
            assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            ByteArrayOutputStream big = new ByteArrayOutputStream();
            for (int i = 0; i < 10_000; i++) {
                big.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            client.getOutputStream().write(big.toByteArray());
            client.shutdownOutput();
            assertThat(serverGot.get(10, TimeUnit.SECONDS)).isEqualTo(big.toString(StandardCharsets.US_ASCII));
            // The server ended first; the client's FIN then closes both sides, once, with every byte counted.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines()).singleElement()
                    .satisfies(l -> assertThat(l).contains("bytes_in=" + big.size() + " bytes_out=6")
                            .endsWith("end=server-closed")));
            assertThat(proxy.portier().pools().get("p").server("s").active()).isZero();
        }
    }
}
