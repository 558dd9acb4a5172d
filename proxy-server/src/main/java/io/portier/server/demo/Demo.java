package io.portier.server.demo;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portier.admin.AdminServer;
import io.portier.config.AdminConfig;
import io.portier.config.HostPort;
import io.portier.config.ConfigLoader;
import io.portier.config.InvalidConfigException;
import io.portier.config.PortierConfig;
import io.portier.core.ListenerBindException;
import io.portier.core.Portier;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;

/**
 * The built-in demo: two HTTP backends on loopback, {@code a} and {@code b}, and a proxy in front of
 * them balancing connections round-robin. Needs nothing but Java.
 */
public final class Demo implements AutoCloseable {
    /** The name of the demo's listener and pool. */
    public static final String NAME = "demo";
    private static final String HOST = "127.0.0.1";

    /** The admin API's preferred port, and the last one tried when the ones before are taken. */
    private static final int ADMIN_FIRST_PORT = 9901;
    private static final int ADMIN_LAST_PORT = 9919;

    private final Portier portier;
    private final DemoBackend a;
    private final DemoBackend b;
    private final AdminServer admin;

    private Demo(Portier portier, DemoBackend a, DemoBackend b, AdminServer admin) {
        this.portier = portier;
        this.a = a;
        this.b = b;
        this.admin = admin;
    }

    /**
     * Starts the backends and the proxy on the first free port of {@code 127.0.0.1:firstPort-lastPort};
     * says on {@code out} when it had to skip ports. Port 0 binds any free port.
     *
     * @throws ListenerBindException when no port of the range could be bound
     */
    public static Demo start(int firstPort, int lastPort, PrometheusMeterRegistry registry, PrintStream out)
            throws ListenerBindException {
        return start(firstPort, lastPort, ADMIN_FIRST_PORT, ADMIN_LAST_PORT, registry, out);
    }

    /** As {@link #start(int, int, PrometheusMeterRegistry, PrintStream)}, with the admin API's port range. */
    public static Demo start(int firstPort, int lastPort, int adminFirstPort, int adminLastPort,
                             PrometheusMeterRegistry registry, PrintStream out) throws ListenerBindException {
        DemoBackend a = DemoBackend.start("a");
        DemoBackend b = DemoBackend.start("b");
        try {
            ListenerBindException failure = null;
            for (int port = firstPort; port <= lastPort; port++) {
                // A plain socket (no SO_REUSEPORT) fails on a port anyone listens on, even a proxy
                // using SO_REUSEPORT, which the proxy's own bind would share.
                if (port != 0 && !isFree(port)) {
                    continue;
                }
                try {
                    Portier portier = Portier.start(config(port, a, b), registry);
                    if (port != firstPort) {
                        out.println(inUse(firstPort, port - 1) + "; using " + port);
                    }
                    return new Demo(portier, a, b, startAdmin(portier, adminFirstPort, adminLastPort, registry, out));
                } catch (ListenerBindException e) {
                    failure = e;
                }
            }
            throw failure != null ? failure : new ListenerBindException(
                    NAME, HOST + ":" + range(firstPort, lastPort), "in use", null);
        } catch (ListenerBindException | RuntimeException e) {
            a.close();
            b.close();
            throw e;
        }
    }

    /** The admin API on the first free port of {@code first-last} (port 0: any free port). */
    private static AdminServer startAdmin(Portier portier, int first, int last, PrometheusMeterRegistry registry,
                                          PrintStream out) {
        for (int port = first; port <= last; port++) {
            if (port != 0 && !isFree(port)) {
                continue;
            }
            try {
                AdminServer admin = AdminServer.start(portier, new AdminConfig(new HostPort(HOST, port),
                        java.util.Optional.empty()), registry, null);
                if (port != first) {
                    out.println(inUse(first, port - 1) + "; the admin API uses " + port);
                }
                return admin;
            } catch (IllegalStateException taken) {
                // raced with another process: try the next port
            }
        }
        portier.close();
        throw new IllegalStateException("admin: " + inUse(first, last) + " (expected: a free port for the admin API)");
    }

    /** The config of the demo, as a user would write it. */
    static PortierConfig config(int port, DemoBackend a, DemoBackend b) {
        String hocon = """
                portier {
                  listeners.demo {
                    bind = "%s:%d"
                    pool = demo
                  }
                  pools.demo {
                    balance = round-robin
                    servers = [
                      { name = %s, address = "%s" }
                      { name = %s, address = "%s" }
                    ]
                    health.type = tcp
                  }
                }
                """.formatted(HOST, port, a.name(), hostPort(a.address()), b.name(), hostPort(b.address()));
        try {
            return ConfigLoader.parse(hocon, "demo.conf");
        } catch (InvalidConfigException e) {
            throw new IllegalStateException("the demo's own config is invalid: " + e.getMessage(), e);
        }
    }

    public PortierConfig config() {
        return portier.config();
    }

    /** The proxy's address, with the actual port. */
    public InetSocketAddress proxyAddress() {
        return portier.bound(NAME).get(0).address();
    }

    public void printWhatToTry(PrintStream out) {
        String url = "http://" + hostPort(proxyAddress()) + "/";
        out.println();
        out.println("Portier demo: " + url + " -> pool demo, round-robin over");
        out.println("  a  http://" + hostPort(a.address()) + "/");
        out.println("  b  http://" + hostPort(b.address()) + "/");
        out.println();
        out.println("Try:  curl " + url + "      (run it a few times: a and b take turns)");
        out.println("      http://" + HOST + ":" + admin.port() + "/      the live dashboard (open it in a browser)");
        out.println("      curl http://" + HOST + ":" + admin.port() + "/api/v1/pools");
        out.println("Each connection ends with one access log line below. Ctrl-C to stop.");
        out.println();
    }

    /** Graceful: the proxy drains, then the backends stop. */
    public CompletableFuture<Void> shutdown() {
        return portier.shutdown().whenComplete((done, failure) -> {
            admin.close();
            closeBackends();
        });
    }

    /** The admin API's port. */
    public int adminPort() {
        return admin.port();
    }

    @Override
    public void close() {
        try {
            portier.close();
        } finally {
            admin.close();
            closeBackends();
        }
    }

    private void closeBackends() {
        a.close();
        b.close();
    }

    private static boolean isFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String inUse(int first, int last) {
        return first == last ? HOST + ":" + first + " is in use" : HOST + ":" + range(first, last) + " are in use";
    }

    private static String range(int first, int last) {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
