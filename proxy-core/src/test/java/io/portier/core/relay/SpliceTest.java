package io.portier.core.relay;

import io.netty.channel.epoll.Epoll;
import io.portier.core.support.EchoServer;
import io.portier.core.support.OpenFds;
import io.portier.core.support.ProxyHarness;
import io.portier.core.support.Streams;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code splice = on}: a connection whose directions stream relays them through one pipe each, with
 * every byte in order through the stalls of a reader that stops and starts, and gives the pipes back
 * when it closes; {@code splice = off} opens none. Pipes are counted in this process's descriptors
 * (the proxy runs in it).
 */
class SpliceTest {
    private static final int SIZE = 8 * 1024 * 1024;

    @Test
    void aStreamingEchoGoesThroughTwoPipesArrivesWholeAndGivesThemBack() throws Exception {
        assumeTrue(Epoll.isAvailable(), "splice is epoll's");
        long before = OpenFds.pipes();
        int during = echoThroughProxy("on");
        assertThat(during).as("most pipes open mid-transfer, over the %d before", before).isEqualTo((int) before + 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> OpenFds.pipes() == before);
    }

    @Test
    void withSpliceOffNoPipeIsOpened() throws Exception {
        assumeTrue(Epoll.isAvailable(), "splice is epoll's");
        long before = OpenFds.pipes();
        assertThat(echoThroughProxy("off")).isEqualTo((int) before);
    }

    /**
     * The server resets the connection after a mebibyte, while the client's bytes stream towards it
     * (some waiting in the pipe for a socket that will never take them): the client's connection
     * ends, and both pipes are given back.
     */
    @Test
    void aServerThatResetsMidStreamEndsTheConnectionAndItsPipesGoBack() throws Exception {
        assumeTrue(Epoll.isAvailable(), "splice is epoll's");
        long before = OpenFds.pipes();
        EchoServer.Behaviour resetsAfterAMebibyte = s -> {
            s.getInputStream().readNBytes(1024 * 1024);
            s.getOutputStream().write(new byte[256 * 1024]); // the other direction streams too
            s.setSoLinger(true, 0);
            s.close();
        };
        try (EchoServer backend = new EchoServer(resetsAfterAMebibyte);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, "splice = on");
             Socket s = new Socket()) {
            s.connect(proxy.address("l"), 5000);
            s.setSoTimeout(30_000);
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < SIZE / chunk.length; i++) {
                    out.write(chunk);
                }
            } catch (IOException expected) {
                // reset or broken pipe once the proxy closes the client side
            }
            try {
                InputStream in = s.getInputStream();
                while (in.read(chunk) >= 0) {
                    // what the server sent before its reset, then the end
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the client's connection did not end after the server's reset", e);
            } catch (IOException expected) {
                // reset
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> OpenFds.pipes() == before);
        }
    }

    /**
     * Sends SIZE random bytes through an echo server behind the proxy, reading the echo in small
     * reads with pauses, so the proxy's sends to the client stall and the bytes wait in the pipe.
     * Asserts the echo is the bytes sent; returns the most pipes seen open in this process, looked at
     * after every 256 KiB of the echo.
     */
    private static int echoThroughProxy(String splice) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(21).nextBytes(data);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, "splice = " + splice);
             Socket s = new Socket()) {
            s.connect(proxy.address("l"), 5000);
            s.setSoTimeout(60_000);
            Future<?> writer = Streams.sendThenHalfClose(pool, s, data, 64 * 1024);
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            long total = 0;
            int pipesDuring = -1;
            int reads = 0;
            long nextLook = 256 * 1024;
            for (int n; (n = in.read(buf)) >= 0; ) {
                received.update(buf, 0, n);
                total += n;
                if (total >= nextLook) { // every 256 KiB
                    pipesDuring = Math.max(pipesDuring, (int) OpenFds.pipes());
                    nextLook += 256 * 1024;
                }
                if (++reads % 64 == 0) {
                    Thread.sleep(1); // stop and start again
                }
            }
            writer.get(60, TimeUnit.SECONDS);
            assertThat(total).isEqualTo(SIZE);
            assertThat(received.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            return pipesDuring;
        } finally {
            pool.shutdownNow();
        }
    }
}
