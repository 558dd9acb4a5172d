package io.portier.core.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** Small blocking backends on loopback for the health tests, each with one daemon accept thread. */
final class TestBackends {
    private TestBackends() {
    }

    /** A free loopback port right now (nothing listens on it when this returns). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A listening socket that accepts, reads the first line of a request if {@code reply} is not null
     * and answers it, then closes. With a null reply it closes at once (a plain TCP service).
     */
    static Backend start(int port, String reply) {
        return new Backend(port, reply, true, false);
    }

    /** A listening socket that greets each connection with {@code banner}, then waits for the client to close. */
    static Backend banner(String banner) {
        return new Backend(0, banner, true, true);
    }

    /** A listening socket that never accepts: connects succeed (kernel backlog), nothing is ever said. */
    static Backend silent() {
        return new Backend(0, null, false, false);
    }

    static final class Backend implements AutoCloseable {
        private final ServerSocket socket;

        Backend(int port, String reply, boolean accept, boolean speaksFirst) {
            try {
                socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (accept) {
                Thread t = new Thread(() -> serve(reply, speaksFirst), "backend-" + socket.getLocalPort());
                t.setDaemon(true);
                t.start();
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve(String reply, boolean speaksFirst) {
            while (!socket.isClosed()) {
                try (Socket c = socket.accept()) {
                    if (reply != null) {
                        if (!speaksFirst) {
                            readLine(c.getInputStream());
                        }
                        c.getOutputStream().write(reply.getBytes(StandardCharsets.ISO_8859_1));
                        c.getOutputStream().flush();
                        if (speaksFirst) {
                            c.getInputStream().transferTo(OutputStream.nullOutputStream());
                        }
                    }
                } catch (SocketException closedOrReset) {
                    // closed by the test, or the check reset the connection: go on or stop
                } catch (IOException e) {
                    // one bad connection does not stop the backend
                }
            }
        }

        private static void readLine(InputStream in) throws IOException {
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                // skip to the end of the first line
            }
        }

        /** Stops listening: connects to the port are refused from now on. */
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
