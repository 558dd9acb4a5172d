package io.portier.core.relay;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

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

    /** Sends SIZE random bytes and reads the echo at the same time; returns {sent digest, received digest}. */
    private static byte[][] roundTrip(InetSocketAddress address, long seed, ExecutorService pool) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(seed).nextBytes(data);
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            s.setSoTimeout(60_000);
            Future<?> writer = pool.submit(() -> {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < SIZE; off += 16 * 1024) {
                    out.write(data, off, Math.min(16 * 1024, SIZE - off));
                }
                s.shutdownOutput();
                return null;
            });
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
