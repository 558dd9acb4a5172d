package io.portier.core.limit;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-source limits and access lists, with clients bound to different loopback source addresses. */
class PerSourceLimitsTest {

    private static String config(String backend, String listenerExtra) {
        return """
                portier {
                  workers = 2
                  listeners.web { bind = "127.0.0.1:0", pool = web, %s }
                  pools.web { servers = [{ name = a, address = "%s" }], health.type = none }
                }
                """.formatted(listenerExtra, backend);
    }

    @Test
    void limitsTheConnectionsOfOneNoisySourceWhileAnotherIsUntouched() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(),
                     "limits.per-source.max-connections = 3"))) {
            int port = proxy.port("web");
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = Clients.connectFrom("127.0.0.2", port);
                    open.add(s);
                    Clients.echoOnce(s);
                }
                try (Socket noisy = Clients.connectFrom("127.0.0.2", port)) {
                    assertThat(Clients.outcome(noisy)).isEqualTo("eof");
                }
                for (int i = 0; i < 3; i++) {
                    Socket s = Clients.connectFrom("127.0.0.3", port);
                    open.add(s);
                    Clients.echoOnce(s);
                }
            } finally {
                Clients.closeAll(open);
            }
            assertThat(Clients.rejected(proxy, "web", port, "source-connections")).isEqualTo(1);
        }
    }

    @Test
    void limitsTheConnectionRateOfOneNoisySourceWhileAnotherIsUntouched() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(),
                     "limits.per-source.connection-rate = 5"))) {
            int port = proxy.port("web");
            int served = 0;
            for (int i = 0; i < 20; i++) {
                try (Socket noisy = Clients.connectFrom("127.0.0.2", port)) {
                    noisy.getOutputStream().write('x');
                    if ("data".equals(Clients.outcome(noisy))) {
                        served++;
                    }
                }
            }
            assertThat(served).as("a bucket of 1 plus 5/s while the burst lasts").isBetween(1, 6);
            try (Socket quiet = Clients.connectFrom("127.0.0.3", port)) {
                Clients.echoOnce(quiet);
            }
            assertThat(Clients.rejected(proxy, "web", port, "source-rate")).isEqualTo(20 - served);
        }
    }

    @Test
    void denyWinsOverAllowAndOthersOutsideAllowAreRefused() throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start(config(backend.address(),
                     "access { allow = [\"127.0.0.0/29\", \"::1\"], deny = [\"127.0.0.2/32\"] }"))) {
            int port = proxy.port("web");
            try (Socket denied = Clients.connectFrom("127.0.0.2", port)) {
                assertThat(Clients.outcome(denied)).isEqualTo("eof");
            }
            try (Socket outside = Clients.connectFrom("127.0.0.9", port)) {
                assertThat(Clients.outcome(outside)).isEqualTo("eof");
            }
            try (Socket allowed = Clients.connectFrom("127.0.0.3", port)) {
                Clients.echoOnce(allowed);
            }
            assertThat(Clients.rejected(proxy, "web", port, "access")).isEqualTo(2);
        }
    }
}
