package io.portier.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.portier.config.PortierConfig;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A running proxy: event loops, bound listeners, pools with their health monitors.
 *
 * <p>Lifecycle: {@link #start} binds everything or nothing; {@link #shutdown()} stops accepting,
 * lets live connections finish for each listener's {@code timeouts.drain}, closes the rest
 * ({@code end=shutdown}) and releases the event loops.
 */
public final class Portier implements AutoCloseable {

    /** One bound frontend address: the actual port, and how many sockets (SO_REUSEPORT) serve it. */
    public record BoundAddress(InetSocketAddress address, int sockets) {}

    public static Portier start(PortierConfig config, MeterRegistry registry)
            throws ListenerBindException {
        throw new UnsupportedOperationException("TODO");
    }

    public PortierConfig config() {
        throw new UnsupportedOperationException("TODO");
    }

    /** "epoll" or "nio". */
    public String transportName() {
        throw new UnsupportedOperationException("TODO");
    }

    public int workers() {
        throw new UnsupportedOperationException("TODO");
    }

    /** The addresses a listener bound, with actual ports (port 0 resolved), in config order. */
    public List<BoundAddress> bound(String listener) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Graceful stop; completes when every connection has ended and the loops are released. */
    public CompletableFuture<Void> shutdown() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Immediate stop: closes everything now. */
    @Override
    public void close() {
        shutdown();
    }
}
