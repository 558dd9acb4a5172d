package io.portier.core.limit;

import io.micrometer.core.instrument.Counter;
import io.portier.core.metrics.MetricNames;
import io.portier.core.support.ProxyHarness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/** Blocking loopback clients for the admission integration tests. */
final class Clients {
    private Clients() {}

    static Socket connect(int port) throws IOException {
        return connectFrom("127.0.0.1", port);
    }

    /** A client bound to {@code source} (any 127.x.y.z address works on Linux loopback). */
    static Socket connectFrom(String source, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Writes one byte and reads it back through an echo backend: the connection is relayed. */
    static void echoOnce(Socket s) throws IOException {
        s.getOutputStream().write('x');
        s.getOutputStream().flush();
        assertThat(s.getInputStream().read()).isEqualTo('x');
    }

    /** The next read's outcome: "eof", "reset", "timeout" or "data". */
    static String outcome(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read() < 0 ? "eof" : "data";
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("Connection reset") ? "reset" : e.toString();
        }
    }

    /**
     * Connects and reads: the outcome as {@link #outcome}. A reset that comes before
     * {@code connect()} returns (the proxy accepted and reset at once) is "reset" too.
     */
    static String outcomeOfNewConnection(int port) throws IOException {
        Socket s;
        try {
            s = connect(port);
        } catch (java.net.SocketException e) {
            return e.getMessage() != null && e.getMessage().contains("Connection reset") ? "reset" : e.toString();
        }
        try (s) {
            return outcome(s);
        }
    }

    static long rejected(ProxyHarness proxy, String listener, int port, String reason) {
        Counter c = proxy.registry().find(MetricNames.LISTENER_REJECTED)
                .tag(MetricNames.TAG_LISTENER, listener)
                .tag(MetricNames.TAG_PORT, Integer.toString(port))
                .tag(MetricNames.TAG_REASON, reason).counter();
        return c == null ? -1 : (long) c.count();
    }

    static long total(ProxyHarness proxy, String listener, int port) {
        Counter c = proxy.registry().find(MetricNames.LISTENER_CONNECTIONS)
                .tag(MetricNames.TAG_LISTENER, listener)
                .tag(MetricNames.TAG_PORT, Integer.toString(port)).counter();
        return c == null ? -1 : (long) c.count();
    }

    static void closeAll(Iterable<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
