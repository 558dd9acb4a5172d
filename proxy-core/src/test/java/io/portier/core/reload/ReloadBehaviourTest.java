package io.portier.core.reload;

import io.netty.channel.ChannelOption;
import io.portier.core.listener.ListenerPort;
import io.portier.core.pool.AdminState;
import io.portier.core.pool.Server;
import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ReloadBehaviourTest {
    @TempDir
    Path dir;

    private static String config(String backend, String listeners) {
        return """
                portier {
                  workers = 2
                  listeners { %s }
                  pools.p { servers = [{ name = a, address = "%s" }], health.type = none }
                }
                """.formatted(listeners, backend);
    }

    @Test
    void addedListenerAcceptsAsSoonAsTheReloadReturns() throws Exception {
        int newPort = freePort();
        try (EchoServer backend = EchoServer.replying("hi\n");
             ReloadFixture proxy = new ReloadFixture(dir, config(backend.address(),
                     "web { bind = \"127.0.0.1:0\", pool = p }"))) {
            ReloadOutcome outcome = proxy.reloadWith(config(backend.address(),
                    "web { bind = \"127.0.0.1:0\", pool = p }\n api { bind = \"127.0.0.1:" + newPort + "\", pool = p }"));
            assertThat(outcome.applied()).isTrue();
            assertThat(outcome.generation()).isEqualTo(2);
            assertThat(outcome.changes()).contains("listener api added");
            assertThat(fetch(newPort)).isEqualTo("hi\n");
            assertThat(proxy.registry.get("portier.config.generation").gauge().value()).isEqualTo(2.0);
        }
    }

    @Test
    void tcpKeepAliveChangeAppliesToNewConnectionsWithoutBindingAgain() throws Exception {
        EchoServer.Behaviour hold = s -> s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        try (EchoServer backend = new EchoServer(hold);
             ReloadFixture proxy = new ReloadFixture(dir, config(backend.address(),
                     "web { bind = \"127.0.0.1:0\", pool = p }"))) {
            int port = proxy.port("web");
            ListenerPort web = proxy.portier.listeners().get("web").ports().get(port);
            try (Socket before = new Socket("127.0.0.1", port)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> web.live().size() == 1);
                ReloadOutcome outcome = proxy.reloadWith(config(backend.address(),
                        "web { bind = \"127.0.0.1:0\", pool = p, tcp-keepalive = on }"));
                assertThat(outcome.applied()).isTrue();
                assertThat(outcome.changes()).anyMatch(c -> c.contains("tcp-keepalive"));
                assertThat(proxy.port("web")).as("the same socket: not bound again").isEqualTo(port);
                try (Socket after = new Socket("127.0.0.1", port)) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> web.live().size() == 2);
                    assertThat(web.live()).extracting(ch -> ch.config().getOption(ChannelOption.SO_KEEPALIVE))
                            .as("SO_KEEPALIVE of the connection from before the reload, and from after")
                            .containsExactlyInAnyOrder(false, true);
                }
            }
        }
    }

    @Test
    void removedListenerRefusesAtOnceAndDrainsWithinItsTimeout() throws Exception {
        EchoServer.Behaviour hold = s -> s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(hold);
             ReloadFixture proxy = new ReloadFixture(dir, config(backend.address(),
                     "web { bind = \"127.0.0.1:0\", pool = p }\n"
                             + " old { bind = \"127.0.0.1:0\", pool = p, timeouts.drain = 1s }"))) {
            int oldPort = proxy.port("old");
            try (Socket live = new Socket("127.0.0.1", oldPort)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 1);
                long start = System.nanoTime();
                assertThat(proxy.reloadWith(config(backend.address(), "web { bind = \"127.0.0.1:0\", pool = p }"))
                        .changes()).contains("listener old removed");
                assertThatThrownBy(() -> new Socket("127.0.0.1", oldPort).close()).isInstanceOf(ConnectException.class);
                live.setSoTimeout(5000);
                assertThat(live.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
                await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                        assertThat(log.lines()).anyMatch(l -> l.contains("listener=old") && l.endsWith("end=drained")));
            }
        }
    }

    @Test
    void invalidEditIsRejectedWithEveryProblemAndTheOldConfigKeepsServing() throws Exception {
        try (EchoServer backend = EchoServer.replying("still here\n");
             ServerSocket taken = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             ReloadFixture proxy = new ReloadFixture(dir, config(backend.address(),
                     "web { bind = \"127.0.0.1:0\", pool = p }"))) {
            int port = proxy.port("web");
            ReloadOutcome typo = proxy.reloadWith(config(backend.address(),
                    "web { bind = \"127.0.0.1:0\", pool = nope, limits { conection-rate = 5 } }"));
            assertThat(typo.applied()).isFalse();
            assertThat(typo.problems()).hasSizeGreaterThanOrEqualTo(2)
                    .anyMatch(p -> p.contains("portier.listeners.web.limits.conection-rate")
                            && p.contains("did you mean connection-rate?"))
                    .anyMatch(p -> p.contains("portier.listeners.web.pool") && p.contains("nope"));
            assertThat(fetch(port)).isEqualTo("still here\n");

            ReloadOutcome busy = proxy.reloadWith(config(backend.address(),
                    "web { bind = \"127.0.0.1:0\", pool = p }\n busy { bind = \"127.0.0.1:" + taken.getLocalPort()
                            + "\", pool = p }"));
            assertThat(busy.problems()).containsExactly(proxy.file + ": portier.listeners.busy.bind: 127.0.0.1:"
                    + taken.getLocalPort() + " (expected: a free address: Address already in use)");
            assertThat(proxy.portier.listeners()).containsOnlyKeys("web");
            assertThat(fetch(port)).isEqualTo("still here\n");
            assertThat(proxy.reloads("rejected")).isEqualTo(2.0);

            ReloadOutcome good = proxy.reloadWith(config(backend.address(),
                    "web { bind = \"127.0.0.1:0\", pool = p, timeouts.idle = 5m }"));
            assertThat(good.applied()).isTrue();
            assertThat(proxy.reloads("ok")).isEqualTo(1.0);
            assertThat(proxy.port("web")).isEqualTo(port);
            assertThat(fetch(port)).isEqualTo("still here\n");
        }
    }

    @Test
    void adminStateAndWeightOverrideSurviveAReloadThatKeepsTheServer() throws Exception {
        String before = """
                portier {
                  listeners.web { bind = "127.0.0.1:0", pool = p }
                  pools.p { servers = [{ name = a, address = "127.0.0.1:9001" }, { name = b, address = "127.0.0.1:9002" }],
                            health.type = none }
                }
                """;
        try (ReloadFixture proxy = new ReloadFixture(dir, before)) {
            Server a = proxy.portier.pools().get("p").server("a");
            a.setAdminState(AdminState.DRAIN);
            a.setWeightOverride(7);
            ReloadOutcome outcome = proxy.reloadWith(before.replace("health.type = none",
                    "health.type = none, balance = least-connections"));
            assertThat(outcome.applied()).isTrue();
            Server after = proxy.portier.pools().get("p").server("a");
            assertThat(after).isSameAs(a);
            assertThat(after.adminState()).isEqualTo(AdminState.DRAIN);
            assertThat(after.weight()).isEqualTo(7);
            assertThat(proxy.portier.pools().get("p").config().balance().configName()).isEqualTo("least-connections");
        }
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        try (EchoServer backend = EchoServer.replying("x");
             ReloadFixture proxy = new ReloadFixture(dir, config(backend.address(),
                     "web { bind = \"127.0.0.1:0\", pool = p }"))) {
            java.nio.file.Files.writeString(proxy.file, config(backend.address(),
                    "web { bind = \"127.0.0.1:0\", pool = p }\n api { bind = \"127.0.0.1:0\", pool = p }"));
            ReloadOutcome dry = proxy.reloader.reload(true);
            assertThat(dry.dryRun()).isTrue();
            assertThat(dry.applied()).isFalse();
            assertThat(dry.changes()).contains("listener api added");
            assertThat(proxy.portier.listeners()).containsOnlyKeys("web");
            assertThat(dry.generation()).isEqualTo(1);
        }
    }

    @Test
    void shutdownDuringADrainStillEndsWithinTheDrainTimeout() throws Exception {
        EchoServer.Behaviour hold = s -> s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        try (EchoServer backend = new EchoServer(hold);
             ReloadFixture proxy = new ReloadFixture(dir, config(backend.address(),
                     "web { bind = \"127.0.0.1:0\", pool = p, timeouts.drain = 2s }\n"
                             + " old { bind = \"127.0.0.1:0\", pool = p, timeouts.drain = 2s }"));
             Socket onOld = new Socket("127.0.0.1", proxy.port("old"));
             Socket onWeb = new Socket("127.0.0.1", proxy.port("web"))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 2);
            proxy.reloadWith(config(backend.address(), "web { bind = \"127.0.0.1:0\", pool = p, timeouts.drain = 2s }"));
            long start = System.nanoTime();
            proxy.portier.shutdown().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3500));
            onOld.setSoTimeout(3000);
            onWeb.setSoTimeout(3000);
            assertThat(onOld.getInputStream().read()).isEqualTo(-1);
            assertThat(onWeb.getInputStream().read()).isEqualTo(-1);
        }
    }

    static String fetch(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
