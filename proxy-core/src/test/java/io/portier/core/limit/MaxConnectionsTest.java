package io.portier.core.limit;

import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code max-connections = 50}: the 51st concurrent connection, with each {@code on-limit}. */
class MaxConnectionsTest {

    private static String config(String backend, String onLimit) {
        return """
                portier {
                  workers = 2
                  listeners.web {
                    bind = "127.0.0.1:0", pool = web
                    limits { max-connections = 50, on-limit = %s }
                  }
                  pools.web { servers = [{ name = a, address = "%s" }], health.type = none }
                }
                """.formatted(onLimit, backend);
    }

    @Test
    void closeSendsFinToTheConnectionOverTheLimit() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "close"));
             AccessLogCapture log = new AccessLogCapture()) {
            int port = proxy.port("web");
            List<Socket> fifty = openRelayed(port, 50);
            try (Socket over = Clients.connect(port)) {
                assertThat(Clients.outcome(over)).isEqualTo("eof");
            } finally {
                Clients.closeAll(fifty);
            }
            assertThat(Clients.rejected(proxy, "web", port, "max-connections")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream()
                    .anyMatch(l -> l.contains("end=rejected-max-connections")));
        }
    }

    @Test
    void resetSendsRstToTheConnectionOverTheLimit() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "reset"))) {
            int port = proxy.port("web");
            List<Socket> fifty = openRelayed(port, 50);
            try {
                assertThat(Clients.outcomeOfNewConnection(port)).isEqualTo("reset");
            } finally {
                Clients.closeAll(fifty);
            }
            assertThat(Clients.rejected(proxy, "web", port, "max-connections")).isEqualTo(1);
        }
    }

    @Test
    void pauseHoldsTheConnectionOverTheLimitUntilASlotFreesThenServesIt() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(), "pause"))) {
            int port = proxy.port("web");
            List<Socket> fifty = openRelayed(port, 50);
            // two over the limit: both held; the two loops may queue them in either order
            try (Socket one = Clients.connect(port); Socket two = Clients.connect(port)) {
                one.getOutputStream().write('1');
                two.getOutputStream().write('2');
                List<Socket> held = new ArrayList<>(List.of(one, two));
                assertThat(served(held, Duration.ofMillis(500))).as("held, not served").isEmpty();

                fifty.remove(0).close();
                List<Socket> first = served(held, Duration.ofSeconds(5));
                assertThat(first).as("one slot freed: one served").hasSize(1);
                held.removeAll(first);
                assertThat(served(held, Duration.ofMillis(300))).as("the other still waits").isEmpty();

                fifty.remove(0).close();
                assertThat(served(held, Duration.ofSeconds(5))).as("another slot: the other served").hasSize(1);
            } finally {
                Clients.closeAll(fifty);
            }
            assertThat(Clients.rejected(proxy, "web", port, "max-connections")).isZero();
            // every slot freed: accepting resumed and new clients are served at once
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.portier().listeners().get("web").liveConnections() == 0);
            try (Socket later = Clients.connect(port)) {
                Clients.echoOnce(later);
            }
        }
    }

    /** The sockets of {@code waiting} that get their byte echoed within {@code within}. */
    private static List<Socket> served(List<Socket> waiting, Duration within) throws Exception {
        List<Socket> served = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        do {
            for (Socket s : waiting) {
                if (served.contains(s)) {
                    continue;
                }
                s.setSoTimeout(20);
                if ("data".equals(Clients.outcome(s))) {
                    served.add(s);
                }
            }
        } while (served.isEmpty() && System.nanoTime() < deadline);
        return served;
    }

    private static List<Socket> openRelayed(int port, int n) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = Clients.connect(port);
            sockets.add(s);
            Clients.echoOnce(s);
        }
        return sockets;
    }
}
