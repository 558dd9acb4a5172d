package io.portier.core.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking TCP server on loopback, one thread per connection, running a {@link Behaviour} for each
 * accepted socket. Port 0: the OS picks the port. Closing it closes every open connection.
 */
public final class EchoServer implements AutoCloseable {

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket) throws IOException;
    }

    /** Writes back every byte read; half-closes its output when the client half-closes. */
    public static final Behaviour ECHO = s -> {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        s.shutdownOutput();
    };

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    public EchoServer(Behaviour behaviour) throws IOException {
        this(InetAddress.getLoopbackAddress(), 0, behaviour);
    }

    public EchoServer(InetAddress address, int port, Behaviour behaviour) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(address, port), 1024);
        acceptor = new Thread(() -> acceptLoop(behaviour), "test-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static EchoServer echo() throws IOException {
        return new EchoServer(ECHO);
    }

    /** Answers every connection with {@code reply} and closes. */
    public static EchoServer replying(String reply) throws IOException {
        return new EchoServer(reply(reply));
    }

    /** The behaviour of {@link #replying}: write {@code reply}, half-close, read to the end. */
    public static Behaviour reply(String reply) {
        return s -> {
            s.getOutputStream().write(reply.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            s.shutdownOutput();
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        };
    }

    private void acceptLoop(Behaviour behaviour) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> {
                    try (s) {
                        behaviour.serve(s);
                    } catch (IOException ignored) {
                        // the peer went away; the test asserts on what it saw
                    } finally {
                        open.remove(s);
                    }
                }, "test-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int accepted() {
        return accepted.get();
    }

    public int openConnections() {
        return open.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
