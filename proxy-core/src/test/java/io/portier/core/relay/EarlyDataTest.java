package io.portier.core.relay;

import io.netty.channel.Channel;
import io.portier.core.listener.ListenerPort;
import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a client sends while the server is still connecting: read and held, up to
 * {@link FrontendHandler#EARLY_BYTES_MAX}, then left in the kernel until the connect completes, and
 * then all of it relayed in order.
 */
class EarlyDataTest {
    private static final int SENT = 4 * 1024 * 1024;

    private static byte pattern(int i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    @Test
    void dataSentWhileTheServerConnectsIsHeldBoundedThenRelayedWhole() throws Exception {
        // A server that accepts nothing, its backlog full: the proxy's connect to it stays pending
        // (the kernel drops its SYN) until the backlog is drained below.
        try (ServerSocket slow = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            try {
                while (queued.size() < 16) {
                    Socket s = new Socket();
                    try {
                        s.connect(slow.getLocalSocketAddress(), 200);
                        queued.add(s);
                    } catch (SocketTimeoutException backlogFull) {
                        s.close();
                        break;
                    }
                }
                assumeTrue(queued.size() < 16, "this kernel does not drop SYNs to a full accept backlog");
                String hocon = """
                        portier {
                          workers = 1
                          listeners.l { bind = "127.0.0.1:0", pool = p, timeouts.connect = 20s }
                          pools.p { servers = [{ name = s, address = "127.0.0.1:%d" }], health.type = none }
                        }
                        """.formatted(slow.getLocalPort());
                try (AccessLogCapture log = new AccessLogCapture();
                     ProxyHarness proxy = ProxyHarness.start(hocon);
                     Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
                    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(client));
                    ListenerPort port = proxy.portier().listeners().get("l").ports().values().iterator().next();
                    await().atMost(Duration.ofSeconds(5)).until(() -> !port.live().isEmpty());
                    Channel frontend = port.live().iterator().next();
                    FrontendHandler relay = (FrontendHandler) frontend.pipeline().get(PipelineNames.FRONTEND);

                    await().atMost(Duration.ofSeconds(5)).until(() -> relay.earlyBytes() >= FrontendHandler.EARLY_BYTES_MAX);
                    assertThat(relay.backend()).as("still connecting").isNull();
                    assertThat(frontend.config().isAutoRead()).as("reads paused").isFalse();
                    TimeUnit.MILLISECONDS.sleep(300);
                    // Bounded: at most the read that crossed the limit on top of it; the rest waits in
                    // the kernel's socket buffers (how much they take depends on its settings).
                    assertThat(relay.earlyBytes()).isLessThanOrEqualTo(2 * FrontendHandler.EARLY_BYTES_MAX);

                    for (Socket s : queued) {
                        slow.accept().close(); // drain the backlog: the proxy's SYN, resent, gets in
                    }
                    slow.setSoTimeout(15_000);
                    try (Socket server = slow.accept()) {
                        server.setSoTimeout(10_000);
                        InputStream in = server.getInputStream();
                        byte[] got = in.readNBytes(SENT);
                        assertThat(got).hasSize(SENT);
                        for (int i = 0; i < SENT; i++) {
                            if (got[i] != pattern(i)) {
                                throw new AssertionError("byte " + i + " differs");
                            }
                        }
                        sending.get(10, TimeUnit.SECONDS);
                        server.getOutputStream().write("ok".getBytes());
                        server.shutdownOutput();
                        assertThat(in.read()).as("the client's FIN, relayed").isEqualTo(-1);
                    }
                    assertThat(client.getInputStream().readAllBytes()).asString().isEqualTo("ok");
                    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines()).singleElement()
                            .satisfies(l -> assertThat(l).contains("bytes_in=" + SENT + " bytes_out=2")));
                }
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    private static void send(Socket client) {
        try {
            OutputStream out = client.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            for (int off = 0; off < SENT; off += chunk.length) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = pattern(off + i);
                }
                out.write(chunk);
            }
            client.shutdownOutput();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
