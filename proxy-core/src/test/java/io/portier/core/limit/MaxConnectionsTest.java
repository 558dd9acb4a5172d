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
            try (Socket over = Clients.connect(port)) {
                assertThat(Clients.outcome(over)).isEqualTo("reset");
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
            try (Socket held = Clients.connect(port); Socket waiting = Clients.connect(port)) {
                held.getOutputStream().write('h');
                waiting.getOutputStream().write('w');
                held.setSoTimeout(500);
                assertThat(Clients.outcome(held)).as("held, not served").isEqualTo("timeout");

                fifty.remove(0).close();
                held.setSoTimeout(5000);
                assertThat(held.getInputStream().read()).isEqualTo('h');
                waiting.setSoTimeout(300);
                assertThat(Clients.outcome(waiting)).as("still waiting for a slot").isEqualTo("timeout");

                fifty.remove(0).close();
                waiting.setSoTimeout(5000);
                assertThat(waiting.getInputStream().read()).isEqualTo('w');
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
