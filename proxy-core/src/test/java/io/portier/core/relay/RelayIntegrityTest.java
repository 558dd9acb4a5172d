package io.portier.core.relay;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import io.portier.core.support.Streams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RelayIntegrityTest {
    private static final int CONNECTIONS = 200;
    private static final int SIZE = 1024 * 1024;

    @Test
    void twoHundredConcurrentConnectionsEchoOneMebibyteUnchanged() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 2
                       listeners.echo { bind = "127.0.0.1:0", pool = echo }
                       pools.echo { servers = [{ name = e, address = "%s" }], health.type = none }
                     }
                     """.formatted(backend.address()))) {
            InetSocketAddress address = proxy.address("echo");
            ExecutorService clients = Executors.newFixedThreadPool(2 * CONNECTIONS);
            try {
                List<Future<byte[][]>> results = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    long seed = i;
                    results.add(clients.submit(() -> roundTrip(address, seed, clients)));
                }
                for (Future<byte[][]> f : results) {
                    byte[][] digests = f.get(120, TimeUnit.SECONDS);
                    assertThat(digests[1]).isEqualTo(digests[0]);
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    /**
     * The client sends everything and half-closes before it reads a byte of the echo, so the proxy
     * meets the client's FIN with nothing queued for the client yet, then has to queue (and wait for
     * EPOLLOUT on) replies to a socket whose input has ended. Every byte must still arrive, once, in
     * order; small writes also take {@link Sender}'s direct path and its partial sends. With
     * {@code splice = on} the echo's stalls leave bytes in the pipe when the client's FIN comes.
     */
    @ParameterizedTest(name = "splice = {0}")
    @ValueSource(strings = {"off", "on"})
    void echoToAClientThatHalfClosedBeforeReadingArrivesWhole(String splice) throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, "splice = " + splice)) {
            int size = 4 * 1024 * 1024;
            byte[] data = new byte[size];
            Random random = new Random(7);
            random.nextBytes(data);
            ExecutorService pool = Executors.newFixedThreadPool(1);
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(8 * 1024); // before connect: the window starts small
                s.connect(proxy.address("l"), 5000);
                s.setSoTimeout(60_000);
                Future<?> writer = pool.submit(() -> {
                    writeInSmallPieces(s.getOutputStream(), data, 11);
                    s.shutdownOutput();
                    return null;
                });
                Thread.sleep(500); // the proxy's sends to this client fill its socket
                byte[] received = readStoppingAndStarting(s.getInputStream());
                writer.get(60, TimeUnit.SECONDS);
                assertThat(received).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * The mirror image: the server says hello and half-closes, then reads the client's upload slowly,
     * so the proxy queues bytes for a server whose output has ended (with {@code splice = on}, in the
     * pipe).
     */
    @ParameterizedTest(name = "splice = {0}")
    @ValueSource(strings = {"off", "on"})
    void uploadToAServerThatHalfClosedFirstArrivesWhole(String splice) throws Exception {
        int size = 16 * 1024 * 1024; // more than the kernel buffers between proxy and server hold
        byte[] data = new byte[size];
        new Random(13).nextBytes(data);
        java.util.concurrent.CompletableFuture<byte[]> uploaded = new java.util.concurrent.CompletableFuture<>();
        EchoServer.Behaviour halfClosesFirst = s -> {
            s.getOutputStream().write("hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput();
            try {
                Thread.sleep(500); // the proxy's sends to this server fill the socket buffers
                uploaded.complete(readStoppingAndStarting(s.getInputStream()));
            } catch (Exception e) {
                uploaded.completeExceptionally(e);
            }
        };
        try (EchoServer backend = new EchoServer(halfClosesFirst);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, "splice = " + splice);
             Socket s = new Socket()) {
            s.connect(proxy.address("l"), 5000);
            s.setSoTimeout(60_000);
            assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("hello\n");
            writeInSmallPieces(s.getOutputStream(), data, 17);
            s.shutdownOutput();
            assertThat(uploaded.get(60, TimeUnit.SECONDS)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        }
    }

    /** Writes {@code data} in pieces of 1-3000 bytes (sizes from {@code seed}). */
    private static void writeInSmallPieces(OutputStream out, byte[] data, long seed) throws IOException {
        Random sizes = new Random(seed);
        for (int off = 0; off < data.length; ) {
            int n = Math.min(1 + sizes.nextInt(3000), data.length - off);
            out.write(data, off, n);
            off += n;
        }
    }

    /** Reads to the end in 4 KiB reads, pausing every 64 of them; returns the SHA-256 of it all. */
    private static byte[] readStoppingAndStarting(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[4096];
        int reads = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            digest.update(buf, 0, n);
            if (++reads % 64 == 0) {
                Thread.sleep(1); // stop and start again
            }
        }
        return digest.digest();
    }

    /** Sends SIZE random bytes and reads the echo at the same time; returns {sent digest, received digest}. */
    private static byte[][] roundTrip(InetSocketAddress address, long seed, ExecutorService pool) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(seed).nextBytes(data);
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            s.setSoTimeout(60_000);
            Future<?> writer = Streams.sendThenHalfClose(pool, s, data, 16 * 1024);
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[32 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                received.update(buf, 0, n);
                total += n;
            }
            writer.get();
            assertThat(total).isEqualTo(SIZE);
            return new byte[][] {MessageDigest.getInstance("SHA-256").digest(data), received.digest()};
        }
    }
}
