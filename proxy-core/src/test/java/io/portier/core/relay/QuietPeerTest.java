package io.portier.core.relay;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that sends a burst and then goes quiet, keeping its connection open, to a client that
 * reads late: the proxy's socket to the server is left holding bytes while the client's side is
 * full, and no more come and no end of stream follows to report the server's socket readable again.
 * Every byte must still arrive. Edge-triggered epoll reports a readable socket once, so a read batch
 * that stops with bytes left behind (at its read limit, or with a write queued on the client's side
 * that still takes more) must read on by itself; a proxy that waits for another event instead stalls
 * here for good. Run on the direct relay, the spliced one and the pipeline's read loop (a bandwidth
 * shaper, set far above what loopback needs, keeps a connection on it).
 */
class QuietPeerTest {
    private static final int BURST = 4 * 1024 * 1024;

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"splice = off", "splice = on", "limits.bandwidth.connection = 10GiB"})
    void aBurstFromAServerThatThenWaitsArrivesWholeAtAClientThatReadsLate(String listenerKeys) throws Exception {
        byte[] burst = new byte[BURST];
        new Random(7).nextBytes(burst);
        EchoServer.Behaviour burstThenWait = s -> {
            s.getOutputStream().write(burst);
            s.getOutputStream().flush();
            s.getInputStream().readAllBytes(); // open until the client is done
        };
        try (EchoServer backend = new EchoServer(burstThenWait);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, listenerKeys);
             Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(proxy.address("l"), 5000);
            client.setSoTimeout(10_000);
            Thread.sleep(500); // every buffer on the way fills meanwhile
            InputStream in = client.getInputStream();
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[16 * 1024];
            long total = 0;
            for (int n; total < BURST && (n = in.read(chunk)) > 0; total += n) {
                got.update(chunk, 0, n);
                if ((total / chunk.length) % 8 == 0) {
                    Thread.sleep(10); // a reader that falls behind now and then
                }
            }
            assertThat(total).isEqualTo(BURST);
            assertThat(got.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(burst));
        }
    }
}
