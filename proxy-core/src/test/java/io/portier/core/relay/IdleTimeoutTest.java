package io.portier.core.relay;

import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code timeouts.idle}: bytes in either direction keep a connection open; once none have moved
 * for the timeout it is closed, never sooner, and logged as {@code end=idle-timeout}.
 */
class IdleTimeoutTest {
    private static final long IDLE_MS = 400;

    private static String config(String backend) {
        return """
                portier {
                  workers = 1
                  listeners.l { bind = "127.0.0.1:0", pool = p, timeouts.idle = %dms }
                  pools.p { servers = [{ name = s, address = "%s" }], health.type = none }
                }
                """.formatted(IDLE_MS, backend);
    }

    /** Reads until the proxy closes; returns the milliseconds from {@code sinceNanos} to the close. */
    private static long millisUntilClosed(InputStream in, long sinceNanos) throws Exception {
        while (in.read() >= 0) {
            // drain
        }
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    @Test
    void clientTrafficKeepsItOpenAndQuietClosesItAfterTheTimeout() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address()));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            // Three timeouts' worth of traffic, a byte every quarter of the timeout.
            for (int i = 0; i < 12; i++) {
                out.write('x');
                assertThat(in.read()).isEqualTo('x');
                Thread.sleep(IDLE_MS / 4);
            }
            long lastByte = System.nanoTime() - IDLE_MS / 4 * 1_000_000;
            long closedAfter = millisUntilClosed(in, lastByte);
            assertThat(closedAfter).as("closed %d ms after the last byte", closedAfter)
                    .isGreaterThanOrEqualTo(IDLE_MS)
                    .isLessThan(IDLE_MS * 4);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines())
                    .anyMatch(l -> l.contains("bytes_in=12") && l.contains("bytes_out=12")
                            && l.endsWith("end=idle-timeout")));
        }
    }

    @Test
    void serverTrafficAloneKeepsItOpenToo() throws Exception {
        EchoServer.Behaviour ticking = s -> {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 12; i++) {
                out.write('t');
                out.flush();
                try {
                    Thread.sleep(IDLE_MS / 4);
                } catch (InterruptedException e) {
                    return;
                }
            }
            s.getInputStream().read(); // then quiet, until the proxy closes
        };
        try (EchoServer backend = new EchoServer(ticking);
             ProxyHarness proxy = ProxyHarness.start(config(backend.address()));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(10_000);
            InputStream in = client.getInputStream();
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                assertThat(in.read()).isEqualTo('t');
            }
            long lastByte = System.nanoTime();
            assertThat((lastByte - start) / 1_000_000).as("the ticks outlast the timeout").isGreaterThan(IDLE_MS * 2);
            long closedAfter = millisUntilClosed(in, lastByte);
            assertThat(closedAfter).as("closed %d ms after the last byte", closedAfter)
                    .isGreaterThanOrEqualTo(IDLE_MS - 20) // the byte left the proxy a little before it arrived
                    .isLessThan(IDLE_MS * 4);
        }
    }
}
