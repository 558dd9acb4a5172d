package io.portier.core.listener;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.portier.config.ConfigLoader;
import io.portier.core.ListenerBindException;
import io.portier.core.Portier;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

class ListenerBindingTest {

    @Test
    void oneProcessServesSeveralListenersAndPoolsIncludingIpv6() throws Exception {
        assumeThat(ipv6LoopbackWorks()).as("IPv6 loopback ::1 is not usable on this host").isTrue();
        try (EchoServer a = EchoServer.replying("pool one\n");
             EchoServer b = EchoServer.replying("pool two\n");
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 2
                       listeners {
                         one { bind = "127.0.0.1:0", pool = one }
                         two { bind = ["127.0.0.1:0", "[::1]:0"], pool = two }
                       }
                       pools {
                         one { servers = [{ name = a, address = "%s" }], health.type = none }
                         two { servers = [{ name = b, address = "%s" }], health.type = none }
                       }
                     }
                     """.formatted(a.address(), b.address()))) {
            assertThat(fetch(InetAddress.getLoopbackAddress(), proxy.port("one"))).isEqualTo("pool one\n");
            List<Portier.BoundAddress> two = proxy.portier().bound("two");
            assertThat(two).hasSize(2);
            assertThat(two.get(1).address().getAddress()).isInstanceOf(Inet6Address.class);
            assertThat(fetch(two.get(0).address().getAddress(), two.get(0).address().getPort())).isEqualTo("pool two\n");
            assertThat(fetch(InetAddress.getByName("::1"), two.get(1).address().getPort())).isEqualTo("pool two\n");
        }
    }

    /**
     * A specific IPv4 address gets an IPv4 listening socket (clients arrive as plain IPv4, not
     * IPv4-mapped IPv6); the IPv4 wildcard keeps its dual-stack socket, so {@code :port} still
     * takes IPv6 clients as it always has.
     */
    @Test
    void specificIpv4BindsAreIpv4SocketsAndTheWildcardStillTakesIpv6Clients() throws Exception {
        assumeThat(ipv6LoopbackWorks()).as("IPv6 loopback ::1 is not usable on this host").isTrue();
        try (EchoServer a = EchoServer.replying("hi\n");
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 1
                       listeners {
                         specific { bind = "127.0.0.1:0", pool = a }
                         any { bind = ":0", pool = a }
                       }
                       pools.a { servers = [{ name = a, address = "%s" }], health.type = none }
                     }
                     """.formatted(a.address()))) {
            if (Epoll.isAvailable()) { // Linux: the kernel lists IPv4 and IPv6 sockets apart
                assertThat(listeningIn("/proc/net/tcp", proxy.port("specific"))).as("an IPv4 socket").isTrue();
                assertThat(listeningIn("/proc/net/tcp6", proxy.port("any"))).as("a dual-stack IPv6 socket").isTrue();
            }
            assertThat(fetch(InetAddress.getByName("127.0.0.1"), proxy.port("specific"))).isEqualTo("hi\n");
            assertThat(fetch(InetAddress.getByName("127.0.0.1"), proxy.port("any"))).isEqualTo("hi\n");
            assertThat(fetch(InetAddress.getByName("::1"), proxy.port("any"))).isEqualTo("hi\n");
        }
    }

    @Test
    void portRangeForwardsPortForPortToServersWrittenWithoutPort() throws Exception {
        int[] backendPorts = freeConsecutivePorts(3);
        List<EchoServer> backends = new ArrayList<>();
        try {
            for (int p : backendPorts) {
                backends.add(new EchoServer(InetAddress.getByName("127.0.0.2"), p,
                        s -> s.getOutputStream().write(("port " + s.getLocalPort() + "\n").getBytes(StandardCharsets.US_ASCII))));
            }
            // Frontend 127.0.0.1:P..P+2, servers 127.0.0.2:P..P+2: each port forwards to its twin.
            try (ProxyHarness proxy = ProxyHarness.start("""
                    portier {
                      workers = 1
                      listeners.range { bind = "127.0.0.1:%d-%d", pool = same }
                      pools.same { servers = [{ name = s, address = "127.0.0.2" }], health.type = none }
                    }
                    """.formatted(backendPorts[0], backendPorts[2]))) {
                assertThat(proxy.portier().bound("range")).hasSize(3);
                for (int p : backendPorts) {
                    assertThat(fetch(InetAddress.getLoopbackAddress(), p)).isEqualTo("port " + p + "\n");
                }
                assertThat(proxy.portier().listeners().get("range").ports()).containsOnlyKeys(
                        backendPorts[0], backendPorts[1], backendPorts[2]);
            }
        } finally {
            for (EchoServer b : backends) {
                b.close();
            }
        }
    }

    @Test
    void reusePortBindsOneSocketPerWorkerAndConnectionsReachEveryWorker() throws Exception {
        assumeThat(Epoll.isAvailable()).as("SO_REUSEPORT per worker needs Linux epoll").isTrue();
        List<Socket> clients = new ArrayList<>();
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 4
                       transport = epoll
                       listeners.l { bind = "127.0.0.1:0", pool = p, reuse-port = on }
                       pools.p { servers = [{ name = e, address = "%s" }], health.type = none }
                     }
                     """.formatted(backend.address()))) {
            Listener listener = proxy.portier().listeners().get("l");
            List<Channel> sockets = listener.bindings().get(0).sockets();
            assertThat(sockets).hasSize(4);
            Set<EventLoop> acceptLoops = new HashSet<>();
            sockets.forEach(s -> acceptLoops.add(s.eventLoop()));
            assertThat(acceptLoops).hasSize(4);
            for (int i = 0; i < 1000; i++) {
                clients.add(new Socket("127.0.0.1", proxy.port("l")));
            }
            ListenerPort port = listener.ports().values().iterator().next();
            await().atMost(Duration.ofSeconds(20)).until(() -> port.live().size() == 1000);
            Set<EventLoop> servingLoops = new HashSet<>();
            port.live().forEach(ch -> servingLoops.add(ch.eventLoop()));
            assertThat(servingLoops).containsExactlyInAnyOrderElementsOf(acceptLoops);
            for (Socket s : clients) {
                s.close(); // before the proxy's graceful close, which would wait for them
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    /**
     * An accept error (here the event Netty fires when accept4 fails, for instance with EMFILE)
     * stops the socket accepting for a second, as ServerBootstrap does, and clients that connect
     * meanwhile wait in the backlog and are served once it accepts again.
     */
    @Test
    void anAcceptErrorPausesTheSocketForASecondAndTheWaitingClientIsServedAfter() throws Exception {
        try (EchoServer backend = EchoServer.replying("served\n");
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 1
                       listeners.l { bind = "127.0.0.1:0", pool = p }
                       pools.p { servers = [{ name = e, address = "%s" }], health.type = none }
                     }
                     """.formatted(backend.address()))) {
            Listener listener = proxy.portier().listeners().get("l");
            Channel socket = listener.bindings().get(0).sockets().get(0);
            socket.eventLoop().submit(() -> socket.pipeline().fireExceptionCaught(
                    new IOException("accept(..) failed: Too many open files"))).get();
            assertThat(socket.config().isAutoRead()).as("paused").isFalse();
            long start = System.nanoTime();
            try (Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
                client.setSoTimeout(10_000);
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(
                        client.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertThat(line).isEqualTo("served");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("served after the pause")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(socket.config().isAutoRead()).isTrue();
        }
    }

    @Test
    void reusePortOffBindsOneSocket() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start("""
                portier {
                  workers = 2
                  listeners.l { bind = "127.0.0.1:0", pool = p, reuse-port = off }
                  pools.p { servers = [{ name = e, address = "127.0.0.1:9" }], health.type = none }
                }
                """)) {
            assertThat(proxy.portier().bound("l")).singleElement()
                    .satisfies(b -> assertThat(b.sockets()).isEqualTo(1));
        }
    }

    @Test
    void portHeldByAnotherProcessFailsWithListenerAddressAndReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var config = ConfigLoader.parse("""
                    portier {
                      workers = 2
                      listeners {
                        free { bind = "127.0.0.1:0", pool = p }
                        busy { bind = "127.0.0.1:%d", pool = p }
                      }
                      pools.p { servers = [{ name = e, address = "127.0.0.1:9" }], health.type = none }
                    }
                    """.formatted(taken.getLocalPort()), "test.conf");
            assertThatThrownBy(() -> Portier.start(config, new SimpleMeterRegistry()))
                    .isInstanceOf(ListenerBindException.class)
                    .hasMessage("listener busy: cannot bind 127.0.0.1:" + taken.getLocalPort()
                            + ": Address already in use");
        }
    }

    private static String fetch(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket(address, port)) {
            s.setSoTimeout(5000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A run of free consecutive ports on loopback (checked by binding them, then released). */
    static int[] freeConsecutivePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 60000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    held.add(new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress()));
                }
                int[] ports = new int[count];
                for (int i = 0; i < count; i++) {
                    ports[i] = base + i;
                }
                return ports;
            } catch (IOException busy) {
                // try another base
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no " + count + " consecutive free ports found");
    }

    /** A socket listening on {@code port} is in {@code table} ({@code /proc/net/tcp} or {@code tcp6}). */
    private static boolean listeningIn(String table, int port) throws IOException {
        String hexPort = String.format(":%04X ", port);
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && (f[1] + " ").endsWith(hexPort) && f[3].equals("0A")) {
                return true;
            }
        }
        return false;
    }
}
