package io.portier.core.reload;

import io.portier.core.support.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 50 reloads changing pools, limits and timeouts while short connections arrive at over 200 a second
 * and long connections stream the whole time: no connection is refused, reset or corrupted.
 */
class ReloadUnderLoadTest {
    private static final int RELOADS = 50;
    private static final int SHORT_CLIENTS = 4;
    private static final int LONG_CONNECTIONS = 5;

    @TempDir
    Path dir;

    private static String config(EchoServer a, EchoServer b, int i) {
        String servers = i % 2 == 0
                ? "{ name = a, address = \"%s\" }".formatted(a.address())
                : "{ name = a, address = \"%s\", weight = 2 }, { name = b, address = \"%s\" }".formatted(a.address(), b.address());
        String limits = i % 3 == 0 ? "connection-rate = unlimited" : "connection-rate = " + (100_000 + i);
        String balance = List.of("round-robin", "least-connections", "random-two", "first").get(i % 4);
        return """
                portier {
                  workers = 2
                  listeners {
                    web { bind = "127.0.0.1:0", pool = p, limits { %s }, timeouts { idle = %dm, connect = %dms } }
                    stream { bind = "127.0.0.1:0", pool = s, timeouts.idle = %dm }
                  }
                  pools {
                    p { balance = %s, retries = 2, servers = [%s], health.type = none }
                    s { balance = %s, servers = [{ name = a, address = "%s", weight = %d }], health.type = none }
                  }
                }
                """.formatted(limits, 10 + i, 1000 + i, 10 + i, balance, servers, balance, a.address(), 1 + i % 3);
    }

    @Test
    void fiftyReloadsUnderLoadDropNothing() throws Exception {
        try (EchoServer a = EchoServer.echo();
             EchoServer b = EchoServer.echo();
             ReloadFixture proxy = new ReloadFixture(dir, config(a, b, 0))) {
            int web = proxy.port("web");
            int stream = proxy.port("stream");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong ok = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(SHORT_CLIENTS + 2 * LONG_CONNECTIONS);
            try {
                List<Future<Long>> streams = new ArrayList<>();
                for (int i = 0; i < LONG_CONNECTIONS; i++) {
                    streams.add(startStream(pool, stream, i, running));
                }
                for (int c = 0; c < SHORT_CLIENTS; c++) {
                    long seed = c;
                    pool.submit(() -> shortConnections(web, seed, running, ok, failures));
                }
                long start = System.nanoTime();
                for (int i = 1; i <= RELOADS; i++) {
                    Thread.sleep(150);
                    ReloadOutcome outcome = proxy.reloadWith(config(a, b, i));
                    assertThat(outcome.problems()).isEmpty();
                    assertThat(outcome.applied()).isTrue();
                }
                Thread.sleep(200);
                running.set(false);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (Future<Long> s : streams) {
                    assertThat(s.get(30, TimeUnit.SECONDS)).as("bytes verified on a long connection").isPositive();
                }
                pool.shutdown();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                assertThat(failures).isEmpty();
                assertThat(ok.get() / seconds).as("new connections per second").isGreaterThanOrEqualTo(200);
                assertThat(proxy.reloads("ok")).isEqualTo(RELOADS);
                assertThat(proxy.port("web")).isEqualTo(web);
            } finally {
                running.set(false);
                pool.shutdownNow();
            }
        }
    }

    /** Opens connection after connection, each sending 4 KiB and checking the echo. */
    private static void shortConnections(int port, long seed, AtomicBoolean running, AtomicLong ok,
                                         ConcurrentLinkedQueue<String> failures) {
        Random random = new Random(seed);
        byte[] data = new byte[4096];
        byte[] back = new byte[4096];
        while (running.get()) {
            random.nextBytes(data);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(data);
                s.shutdownOutput();
                new DataInputStream(s.getInputStream()).readFully(back);
                if (s.getInputStream().read() != -1 || !Arrays.equals(data, back)) {
                    failures.add("corrupted reply");
                } else {
                    ok.incrementAndGet();
                }
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }
    }

    /** A connection streaming a known byte pattern and verifying its echo until {@code running} ends. */
    private static Future<Long> startStream(ExecutorService pool, int port, int id, AtomicBoolean running)
            throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        pool.submit(() -> {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[1024];
            long n = 0;
            while (running.get()) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) (n++ * 31 + id);
                }
                out.write(chunk);
                Thread.sleep(2);
            }
            s.shutdownOutput();
            return null;
        });
        return pool.submit(() -> {
            try (s) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                long n = 0;
                int r;
                while ((r = in.read(buf)) >= 0) {
                    for (int i = 0; i < r; i++) {
                        if (buf[i] != (byte) (n++ * 31 + id)) {
                            throw new AssertionError("stream " + id + " corrupted at byte " + (n - 1));
                        }
                    }
                }
                return n;
            }
        });
    }
}
