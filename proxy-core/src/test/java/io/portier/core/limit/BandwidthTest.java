package io.portier.core.limit;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code limits.bandwidth}: shaping slows the transfer and drops nothing. Through an echo backend
 * each byte crosses the frontend twice (client to proxy, proxy to client); both directions are
 * shaped at the limit and overlap, so N bytes at L bytes/s take N / L seconds.
 */
class BandwidthTest {
    private static final int MIB = 1024 * 1024;

    private static String config(String backend, String bandwidth) {
        return """
                portier {
                  workers = 2
                  listeners.web { bind = "127.0.0.1:0", pool = web, limits.bandwidth { %s } }
                  pools.web { servers = [{ name = a, address = "%s" }], health.type = none }
                }
                """.formatted(bandwidth, backend);
    }

    @Test
    void aConnectionLimitedToOneMibPerSecondMovesTenMibInTenSecondsIntact() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "connection = 1MiB"))) {
            long start = System.nanoTime();
            long crcBack = echoThrough(proxy.port("web"), 10 * MIB, 1).join();
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(crcBack).isEqualTo(crc(10 * MIB, 1));
            assertThat(seconds).isBetween(9.0, 11.0);
        }
    }

    @Test
    void aPortLimitIsSharedByItsConcurrentConnections() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "port = 1MiB"))) {
            int port = proxy.port("web");
            long start = System.nanoTime();
            List<CompletableFuture<Long>> both = List.of(
                    echoThrough(port, 3 * MIB / 2, 2), echoThrough(port, 3 * MIB / 2, 3));
            assertThat(both.get(0).join()).isEqualTo(crc(3 * MIB / 2, 2));
            assertThat(both.get(1).join()).isEqualTo(crc(3 * MIB / 2, 3));
            double seconds = (System.nanoTime() - start) / 1e9;

            // 3 MiB in all through a 1 MiB/s port: about 3 s (each alone would take 1.5 s)
            assertThat(seconds).isBetween(2.5, 4.0);
        }
    }

    /** Sends {@code size} seeded random bytes through the echo and returns the CRC of what came back. */
    private static CompletableFuture<Long> echoThrough(int port, int size, long seed) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = Clients.connect(port)) {
                s.setSoTimeout(30_000);
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        byte[] data = bytes(size, seed);
                        for (int off = 0; off < size; off += 64 * 1024) {
                            out.write(data, off, Math.min(64 * 1024, size - off));
                        }
                        s.shutdownOutput();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "bandwidth-writer");
                writer.start();
                CRC32 crc = new CRC32();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long got = 0;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    crc.update(buf, 0, n);
                    got += n;
                }
                writer.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(got).isEqualTo(size);
                return crc.getValue();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static long crc(int size, long seed) {
        CRC32 crc = new CRC32();
        crc.update(bytes(size, seed));
        return crc.getValue();
    }
}
