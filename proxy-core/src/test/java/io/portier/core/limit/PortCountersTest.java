package io.portier.core.limit;

import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/** Limits are enforced per frontend port: the ports of one range listener count apart. */
class PortCountersTest {

    @Test
    void twoPortsOfOneRangeListenerKeepSeparateCounters() throws Exception {
        int first = twoFreePorts();
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 2
                       listeners.range {
                         bind = "127.0.0.1:%d-%d", pool = web
                         limits.max-connections = 1
                       }
                       pools.web { servers = [{ name = a, address = "%s" }], health.type = none }
                     }
                     """.formatted(first, first + 1, backend.address()))) {
            try (Socket a = Clients.connect(first)) {
                Clients.echoOnce(a);
                try (Socket overA = Clients.connect(first)) {
                    assertThat(Clients.outcome(overA)).isEqualTo("eof");
                }
                try (Socket b = Clients.connect(first + 1)) {
                    Clients.echoOnce(b);
                }
            }
            assertThat(Clients.rejected(proxy, "range", first, "max-connections")).isEqualTo(1);
            assertThat(Clients.rejected(proxy, "range", first + 1, "max-connections")).isZero();
        }
    }

    /** The lower of two consecutive free loopback ports. */
    private static int twoFreePorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = probe.getLocalPort();
                if (p >= 65535) {
                    continue;
                }
                try (ServerSocket next = new ServerSocket()) {
                    next.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + 1));
                    return p;
                } catch (IOException taken) {
                    // try another pair
                }
            }
        }
        throw new IOException("no two consecutive free ports on loopback");
    }
}
