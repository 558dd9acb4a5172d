package io.portier.core.limit;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code connection-rate}: one bucket per port, exact across the event loops that accept on it.
 * A flood of clients for 10 s gets burst + rate x 10 s connections through.
 */
class ConnectionRateTest {
    private static final int RATE = 200;
    private static final int BURST = RATE / 10;
    private static final long FLOOD_NANOS = Duration.ofSeconds(10).toNanos();
    private static final int CLIENT_THREADS = 4;
    /** Bound on the flood: each client thread opens at most this many connections a second. */
    private static final int MAX_PER_THREAD_PER_SECOND = 1_000;

    @Test
    void acceptsBurstPlusRateTimesDurationUnderAFloodAcrossFourWorkers() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 4
                       listeners.web {
                         bind = "127.0.0.1:0", pool = web, backlog = 4096
                         limits { connection-rate = %d, on-limit = reset }
                       }
                       pools.web { servers = [{ name = a, address = "%s" }], health.type = none }
                     }
                     """.formatted(RATE, backend.address()))) {
            int port = proxy.port("web");
            AtomicInteger attempts = new AtomicInteger();
            long start = System.nanoTime();
            long end = start + FLOOD_NANOS;
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                Thread th = new Thread(() -> flood(port, end, attempts), "flood-" + t);
                th.start();
                clients.add(th);
            }
            for (Thread th : clients) {
                th.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            long[] last = {-1};
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                long now = Clients.total(proxy, "web", port);
                boolean settled = now == last[0] && proxy.portier().listeners().get("web").liveConnections() == 0;
                last[0] = now;
                return settled;
            });
            long accepted = Clients.total(proxy, "web", port) - Clients.rejected(proxy, "web", port, "rate");
            double expected = BURST + RATE * seconds;

            assertThat(attempts.get()).as("a flood, well over the rate").isGreaterThan(RATE * 10 * 5);
            assertThat(seconds).isBetween(9.9, 10.5);
            System.out.printf("connection-rate %d/s: %d accepted of %d attempts in %.2f s (expected %.0f)%n",
                    RATE, accepted, attempts.get(), seconds, expected);
            assertThat((double) accepted).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(5));
        }
    }

    @Test
    void pauseHoldsConnectionsOverTheRateAndServesThemAsTokensCome() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 2
                       listeners.web {
                         bind = "127.0.0.1:0", pool = web
                         limits { connection-rate = 10, connection-burst = 1, on-limit = pause }
                       }
                       pools.web { servers = [{ name = a, address = "%s" }], health.type = none }
                     }
                     """.formatted(backend.address()))) {
            int port = proxy.port("web");
            List<Socket> clients = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < 6; i++) {
                    Socket s = Clients.connect(port);
                    clients.add(s);
                    s.getOutputStream().write('0' + i);
                }
                for (int i = 0; i < 6; i++) {
                    assertThat(clients.get(i).getInputStream().read()).isEqualTo('0' + i);
                }
            } finally {
                Clients.closeAll(clients);
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            // one token at once, then one every 100 ms: the sixth is served after about 0.5 s
            assertThat(seconds).isBetween(0.4, 3.0);
            assertThat(Clients.rejected(proxy, "web", port, "rate")).isZero();
        }
    }

    /** Opens and resets connections as fast as it can (up to the bound) until {@code end}. */
    private static void flood(int port, long end, AtomicInteger attempts) {
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        long start = System.nanoTime();
        long gap = 1_000_000_000L / MAX_PER_THREAD_PER_SECOND;
        for (long i = 0; System.nanoTime() < end; i++) {
            long due = start + i * gap;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            attempts.incrementAndGet();
            try (Socket s = new Socket()) {
                s.setSoLinger(true, 0);
                s.connect(target, 2000);
            } catch (IOException e) {
                // a rejected attempt: the proxy's RST may come before connect() returns
            }
        }
    }
}
