package io.portier.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.OpenFds;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Peers that fail: the proxy ends the connection cleanly, logs why, and leaks nothing. */
class FailureModesTest {
    private static AccessLogCapture leaks;

    @BeforeAll
    static void watchForLeaks() {
        leaks = new AccessLogCapture("io.netty.util.ResourceLeakDetector");
    }

    @AfterAll
    static void nothingLeaked() {
        // Leaks are reported when tracked buffers are collected and new ones get tracked.
        for (int i = 0; i < 5; i++) {
            System.gc();
            for (int j = 0; j < 100; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
                b.release();
            }
        }
        try {
            assertThat(leaks.lines()).as("Netty leak reports").noneMatch(l -> l.contains("LEAK"));
        } finally {
            leaks.close();
        }
    }

    private static String onePool(String servers, String extra) {
        return """
                portier {
                  workers = 1
                  listeners.l { bind = "127.0.0.1:0", pool = p, timeouts.connect = 1s }
                  pools.p { servers = [%s], health.type = none, %s }
                }
                """.formatted(servers, extra);
    }

    @Test
    void serverDyingMidStreamClosesTheClientWithServerClosed() throws Exception {
        CountDownLatch sentSome = new CountDownLatch(1);
        EchoServer.Behaviour dieAfterHalfMiB = s -> {
            // Wait for the client's first byte: the proxy relays it only once its connect completed,
            // so the reset below is mid-stream, not a connect failure.
            s.getInputStream().read();
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 8; i++) {
                s.getOutputStream().write(chunk);
            }
            s.getOutputStream().flush();
            sentSome.countDown();
            s.setSoLinger(true, 0); // die: RST
            s.close();
        };
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(dieAfterHalfMiB);
             ProxyHarness proxy = ProxyHarness.start(onePool(
                     "{ name = s, address = \"" + backend.address() + "\" }", "retries = 0"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write('g');
            InputStream in = client.getInputStream();
            long got = 0;
            try {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got += n;
                }
            } catch (IOException reset) {
                // a reset passed on is an acceptable way to end too
            }
            assertThat(sentSome.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(got).isLessThanOrEqualTo(8 * 64 * 1024);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("server=s") && l.endsWith("end=server-closed")));
        }
    }

    @Test
    void clientVanishingClosesTheBackendConnection() throws Exception {
        CountDownLatch backendSawEnd = new CountDownLatch(1);
        EchoServer.Behaviour readUntilEnd = s -> {
            try {
                s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } finally {
                backendSawEnd.countDown();
            }
        };
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(readUntilEnd);
             ProxyHarness proxy = ProxyHarness.start(onePool(
                     "{ name = s, address = \"" + backend.address() + "\" }", "retries = 0"))) {
            Socket client = new Socket("127.0.0.1", proxy.port("l"));
            client.getOutputStream().write("some bytes".getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 1);
            client.setSoLinger(true, 0);
            client.close(); // vanish with a reset
            assertThat(backendSawEnd.await(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("bytes_in=10") && l.endsWith("end=client-closed")));
            assertThat(proxy.portier().pools().get("p").server("s").active()).isZero();
        }
    }

    @Test
    void refusedConnectMovesToTheNextServer() throws Exception {
        int refusing = freePort();
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = EchoServer.replying("from b\n");
             ProxyHarness proxy = ProxyHarness.start(onePool(
                     "{ name = a, address = \"127.0.0.1:" + refusing + "\" }, "
                             + "{ name = b, address = \"" + backend.address() + "\" }",
                     "retries = 2, balance = first"))) {
            long socketsBefore = OpenFds.sockets();
            for (int i = 0; i < 5; i++) {
                try (Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
                    client.setSoTimeout(5000);
                    assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                            .isEqualTo("from b\n");
                }
            }
            assertThat(proxy.portier().pools().get("p").server("a").connectFailures()).isEqualTo(5);
            assertThat(proxy.registry().get("portier.server.connect.failures").tag("server", "a").counter().count())
                    .isEqualTo(5.0);
            // The socket of every refused connect is closed, as are the relayed ones.
            await().atMost(Duration.ofSeconds(5)).until(() -> OpenFds.sockets() <= socketsBefore);
        }
    }

    @Test
    void serverGivenByNameIsResolvedAndOneThatDoesNotResolveIsAFailedConnect() throws Exception {
        // "localhost" resolves through the hosts file; ".invalid" never resolves (RFC 2606).
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = EchoServer.replying("from b\n");
             ProxyHarness proxy = ProxyHarness.start(onePool(
                     "{ name = a, address = \"no-such-host.invalid:" + backend.port() + "\" }, "
                             + "{ name = b, address = \"localhost:" + backend.port() + "\" }",
                     "retries = 1, balance = first"))) {
            try (Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
                client.setSoTimeout(20_000);
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("from b\n");
            }
            assertThat(proxy.portier().pools().get("p").server("a").connectFailures()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("server=b") && l.contains("bytes_out=7")));
        }
    }

    @Test
    void everyServerRefusingClosesTheClientWithConnectFailed() throws Exception {
        int a = freePort();
        int b = freePort();
        try (AccessLogCapture log = new AccessLogCapture();
             ProxyHarness proxy = ProxyHarness.start(onePool(
                     "{ name = a, address = \"127.0.0.1:" + a + "\" }, { name = b, address = \"127.0.0.1:" + b + "\" }",
                     "retries = 1"));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(5000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("connect_ms=-") && l.endsWith("end=connect-failed")));
        }
    }

    @Test
    void noAvailableServerClosesTheClientWithNoServer() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             ProxyHarness proxy = ProxyHarness.start(onePool(
                     "{ name = a, address = \"127.0.0.1:9\" }", "retries = 0"))) {
            proxy.portier().pools().get("p").server("a").setAdminState(io.portier.core.pool.AdminState.MAINT);
            try (Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
                client.setSoTimeout(5000);
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(log.lines()).anyMatch(l -> l.contains("server=-") && l.endsWith("end=no-server")));
            assertThat(proxy.registry().get("portier.listener.rejected").tag("reason", "no-server").counter().count())
                    .isEqualTo(1.0);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
