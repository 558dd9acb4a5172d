package io.portier.server.demo;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tiny HTTP server on a free loopback port answering every request with {@code hello from NAME}.
 * Built on the JDK's HTTP server so the demo needs nothing but Java.
 */
final class DemoBackend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    static DemoBackend start(String name) {
        byte[] body = ("hello from " + name + "\n").getBytes(StandardCharsets.US_ASCII);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("demo backend " + name + ": cannot bind a loopback port", e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream response = exchange.getResponseBody()) {
                    response.write(body);
                }
            }
        });
        server.start();
        return new DemoBackend(name, server);
    }

    String name() {
        return name;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
        }
    }
}
