package io.portier.core.health;

import io.portier.core.pool.ServerState;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health decides where live traffic goes, end to end through a running proxy. */
class HealthRoutingTest {

    @Test
    void trafficLeavesADownServerAndReturnsWhenItIsUpAgain() throws Exception {
        try (EchoServer a = EchoServer.replying("a");
             EchoServer b = EchoServer.replying("b")) {
            EchoServer c = EchoServer.replying("c");
            int cPort = c.port();
            try (ProxyHarness proxy = ProxyHarness.start("""
                    portier {
                      workers = 2
                      listeners.l { bind = "127.0.0.1:0", pool = p }
                      pools.p {
                        servers = [{ name = a, address = "%s" }, { name = b, address = "%s" }, { name = c, address = "%s" }]
                        health { type = tcp, interval = 100ms, timeout = 500ms, rise = 2, fall = 2 }
                      }
                    }
                    """.formatted(a.address(), b.address(), c.address()))) {
                assertThat(spread(proxy, 30)).containsOnlyKeys("a", "b", "c");

                c.close();
                var server = proxy.portier().pools().get("p").server("c");
                await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.DOWN);
                assertThat(spread(proxy, 30)).containsOnlyKeys("a", "b");

                c = new EchoServer(InetAddress.getLoopbackAddress(), cPort, EchoServer.reply("c"));
                await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.UP);
                assertThat(spread(proxy, 30)).containsOnlyKeys("a", "b", "c");
            } finally {
                c.close();
            }
        }
    }

    @Test
    void serverRefusingLiveTrafficIsEjectedBeforeTheNextActiveCheck() throws Exception {
        try (EchoServer a = EchoServer.replying("a")) {
            EchoServer dead = EchoServer.replying("x");
            String deadAddress = dead.address();
            dead.close();
            try (ProxyHarness proxy = ProxyHarness.start("""
                    portier {
                      workers = 1
                      listeners.l { bind = "127.0.0.1:0", pool = p }
                      pools.p {
                        servers = [{ name = a, address = "%s" }, { name = d, address = "%s" }]
                        retries = 1
                        health { type = tcp, interval = 1h, passive { consecutive-failures = 3, ejection = 1h } }
                      }
                    }
                    """.formatted(a.address(), deadAddress))) {
                var d = proxy.portier().pools().get("p").server("d");
                // every connection still succeeds: the refused connect moves on to a
                assertThat(spread(proxy, 10)).containsOnlyKeys("a");
                assertThat(d.state()).isEqualTo(ServerState.DOWN);
                assertThat(d.lastCheck().code()).isEqualTo(CheckCode.PASSIVE);
                assertThat(d.connectFailures()).isEqualTo(3);
            }
        }
    }

    @Test
    void slowStartGivesARecoveredServerLessThanItsShareAtFirstAndItsFullShareAfter() throws Exception {
        try (EchoServer a = EchoServer.replying("a")) {
            EchoServer b = EchoServer.replying("b");
            int bPort = b.port();
            b.close();
            try (ProxyHarness proxy = ProxyHarness.start("""
                    portier {
                      workers = 1
                      listeners.l { bind = "127.0.0.1:0", pool = p }
                      pools.p {
                        servers = [{ name = a, address = "%s" }, { name = b, address = "127.0.0.1:%d" }]
                        slow-start = 4s
                        health { type = tcp, interval = 100ms, rise = 1, fall = 1 }
                      }
                    }
                    """.formatted(a.address(), bPort))) {
                var server = proxy.portier().pools().get("p").server("b");
                await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.DOWN);
                b = new EchoServer(InetAddress.getLoopbackAddress(), bPort, EchoServer.reply("b"));
                await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.UP);
                long upAt = System.nanoTime();
                Map<String, Integer> early = spread(proxy, 60);
                assertThat(System.nanoTime() - upAt).as("the early sample must fit in the first quarter")
                        .isLessThan(Duration.ofSeconds(1).toNanos());
                assertThat(early.getOrDefault("b", 0)).as("b's connections in the first second").isLessThan(15);

                await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - upAt > Duration.ofSeconds(4).toNanos());
                Map<String, Integer> late = spread(proxy, 60);
                assertThat(late.get("b")).as("b's connections once the ramp is over").isBetween(27, 33);
            } finally {
                b.close();
            }
        }
    }

    /** Opens {@code n} connections one after another and counts which server answered. */
    private static Map<String, Integer> spread(ProxyHarness proxy, int n) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket("127.0.0.1", proxy.port("l"))) {
                s.setSoTimeout(5000);
                String who = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                counts.merge(who, 1, Integer::sum);
            }
        }
        return counts;
    }
}
