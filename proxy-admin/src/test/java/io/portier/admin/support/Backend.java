package io.portier.admin.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend server on loopback for tests: greets each connection with its name and a newline, then
 * echoes every byte. One thread per connection; closing it closes every open connection.
 */
public final class Backend implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    public Backend(String name) throws IOException {
        this.name = name;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        Thread t = new Thread(this::acceptLoop, "backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(s);
            Thread t = new Thread(() -> serve(s), "backend-" + name + "-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the peer went away; tests assert on what they saw
        } finally {
            open.remove(s);
        }
    }

    public String name() {
        return name;
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
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
