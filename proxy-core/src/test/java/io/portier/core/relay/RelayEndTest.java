package io.portier.core.relay;

import io.netty.channel.Channel;
import io.portier.core.listener.ListenerPort;
import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server's last bytes and its FIN that are all in Portier's socket before Portier reads them (its
 * event loop is held busy while the server sends): the case where the relay sends the last bytes
 * corked, to leave with the FIN, and takes the short read that brings them as the end of stream.
 */
class RelayEndTest {

    /**
     * @param size    bytes the server sends before its FIN
     * @param urgentAt where, if anywhere (-1), one byte of TCP urgent data goes between them: a read
     *                stops short at it, which must not pass for the end of stream
     */
    @ParameterizedTest(name = "{0} bytes, urgent byte at {1}")
    @CsvSource({"6, -1", "6, 3", "300000, -1", "300000, 299990"})
    void everyByteBeforeTheFinReachesTheClientThenTheEnd(int size, int urgentAt) throws Exception {
        byte[] reply = new byte[size];
        for (int i = 0; i < size; i++) {
            reply[i] = (byte) ('a' + i % 26);
        }
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        EchoServer.Behaviour burstThenFin = s -> {
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            OutputStream out = s.getOutputStream();
            if (urgentAt < 0) {
                out.write(reply);
            } else {
                out.write(reply, 0, urgentAt);
                out.flush();
                s.sendUrgentData('!'); // out of band: not part of the stream the client reads
                out.write(reply, urgentAt, size - urgentAt);
            }
            out.flush();
            s.shutdownOutput();
            sent.countDown();
            s.getInputStream().readAllBytes(); // until the client closes
        };
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(burstThenFin);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend);
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(10_000);
            Channel frontend = relayedFrontend(proxy);
            // Hold the loop until the server has sent everything (or its socket is full), so that the
            // FIN is queued on Portier's socket before the read that brings the last bytes.
            frontend.eventLoop().submit(() -> {
                go.countDown();
                sent.await(300, TimeUnit.MILLISECONDS);
                Thread.sleep(50);
                return null;
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            client.getInputStream().transferTo(got); // to the end of stream: the server's FIN, relayed

            assertThat(got.toByteArray()).isEqualTo(reply);
            client.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines()).singleElement()
                    .satisfies(l -> assertThat(l).contains("bytes_in=0 bytes_out=" + size)
                            .endsWith("end=server-closed")));
        }
    }

    /** The one connection's frontend channel, once its backend is connected and the relay set up. */
    private static Channel relayedFrontend(ProxyHarness proxy) {
        ListenerPort port = proxy.portier().listeners().get("l").ports().values().iterator().next();
        await().atMost(Duration.ofSeconds(5)).until(() -> !port.live().isEmpty());
        Channel frontend = port.live().iterator().next();
        FrontendHandler relay = (FrontendHandler) frontend.pipeline().get(PipelineNames.FRONTEND);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.backend() != null
                && frontend.eventLoop().submit(() -> relay.backend().isActive()).get());
        return frontend;
    }
}
