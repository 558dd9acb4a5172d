package io.portier.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.portier.config.ListenerConfig;
import io.portier.config.PoolConfig;
import io.portier.config.PortierConfig;
import io.portier.config.ServerConfig;
import io.portier.core.health.HealthMonitor;
import io.portier.core.listener.Listener;
import io.portier.core.listener.ListenerPort;
import io.portier.core.log.AccessLog;
import io.portier.core.log.EndReason;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import io.portier.core.relay.Relay;
import io.portier.core.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running proxy: event loops, bound listeners, pools with their health monitors.
 *
 * <p>Lifecycle: {@link #start} binds everything or nothing; {@link #shutdown()} stops accepting,
 * lets live connections finish for each listener's {@code timeouts.drain}, closes the rest
 * ({@code end=shutdown}) and releases the event loops.
 */
public final class Portier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Portier.class);

    /** One bound frontend address: the actual port, and how many sockets (SO_REUSEPORT) serve it. */
    public record BoundAddress(InetSocketAddress address, int sockets) {}

    private final PortierConfig config;
    private final Transport transport;
    private final EventLoopGroup loops;
    private final AccessLog accessLog;
    private final Map<String, Pool> pools;
    private final Map<String, Listener> listeners;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;

    private Portier(PortierConfig config, Transport transport, EventLoopGroup loops, AccessLog accessLog,
                    Map<String, Pool> pools, Map<String, Listener> listeners) {
        this.config = config;
        this.transport = transport;
        this.loops = loops;
        this.accessLog = accessLog;
        this.pools = pools;
        this.listeners = listeners;
    }

    /**
     * Starts the event loops, the pools (with health checks) and every listener. If a listener
     * cannot bind, everything started so far is stopped and the exception names the listener, the
     * address and the OS reason.
     */
    public static Portier start(PortierConfig config, MeterRegistry registry) throws ListenerBindException {
        Transport transport = Transport.select(config.transport());
        EventLoopGroup loops = transport.newGroup(config.workers(), "portier-worker");
        AccessLog accessLog = new AccessLog(config.accessLog());
        Map<String, Pool> pools = new LinkedHashMap<>();
        Map<String, Listener> listeners = new LinkedHashMap<>();
        try {
            for (PoolConfig pc : config.pools().values()) {
                pools.put(pc.name(), startPool(pc, loops, transport, registry));
            }
            for (ListenerConfig lc : config.listeners().values()) {
                listeners.put(lc.name(),
                        Listener.bind(lc, pools.get(lc.pool()), loops, transport, accessLog, registry));
            }
        } catch (ListenerBindException | RuntimeException e) {
            listeners.values().forEach(Listener::stopAccepting);
            pools.values().forEach(Portier::stopPool);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            accessLog.close();
            throw e;
        }
        LOG.info("portier started: {} listener(s), {} pool(s), {} worker(s), {}",
                listeners.size(), pools.size(), config.workers(), transport.name());
        return new Portier(config, transport, loops, accessLog, pools, listeners);
    }

    private static Pool startPool(PoolConfig pc, EventLoopGroup loops, Transport transport, MeterRegistry registry) {
        boolean healthy = HealthMonitor.initialHealthy(pc.health());
        List<Server> servers = new ArrayList<>();
        for (ServerConfig sc : pc.servers()) {
            servers.add(new Server(pc.name(), sc, pc.slowStart(), healthy, System::nanoTime));
        }
        Pool pool = new Pool(pc, servers);
        pool.registerMetrics(registry);
        pool.setHealth(HealthMonitor.start(pool, loops, transport, registry));
        return pool;
    }

    private static void stopPool(Pool pool) {
        HealthMonitor h = pool.health();
        if (h != null) {
            h.close();
        }
        pool.removeMetrics();
    }

    public PortierConfig config() {
        return config;
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return transport.name();
    }

    public int workers() {
        return config.workers();
    }

    public Map<String, Pool> pools() {
        return pools;
    }

    public Map<String, Listener> listeners() {
        return listeners;
    }

    /** The addresses a listener bound, with actual ports (port 0 resolved), in config order. */
    public List<BoundAddress> bound(String listener) {
        Listener l = listeners.get(listener);
        if (l == null) {
            throw new IllegalArgumentException("listener: " + listener + " (expected: one of "
                    + listeners.keySet() + ")");
        }
        List<BoundAddress> out = new ArrayList<>();
        for (Listener.Binding b : l.bindings()) {
            out.add(new BoundAddress(b.address(), b.sockets().size()));
        }
        return out;
    }

    /** True once {@link #shutdown()} began: readiness checks report not ready. */
    public boolean stopping() {
        return stopping;
    }

    /**
     * Graceful stop, idempotent: stops accepting on every listener, waits up to the longest
     * {@code timeouts.drain} for live connections to finish (each listener's own drain bounds its
     * connections), closes what is left with {@code end=shutdown}, stops health checks and the event
     * loops. Completes when all of that is done.
     */
    public synchronized CompletableFuture<Void> shutdown() {
        if (stopping) {
            return stopped;
        }
        stopping = true;
        Thread t = new Thread(this::drainAndStop, "portier-shutdown");
        t.setDaemon(true);
        t.start();
        return stopped;
    }

    private void drainAndStop() {
        try {
            listeners.values().forEach(Listener::stopAccepting);
            long start = System.nanoTime();
            for (Listener l : listeners.values()) {
                Duration drain = l.config().timeouts().drain();
                long deadline = start + drain.toNanos();
                while (l.liveConnections() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                int left = l.liveConnections();
                if (left > 0) {
                    LOG.info("listener {}: drain of {} ended, closing {} connection(s)", l.name(), drain, left);
                    closeAll(l, EndReason.SHUTDOWN);
                }
            }
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (listeners.values().stream().anyMatch(l -> l.liveConnections() > 0)
                    && System.nanoTime() < closeDeadline) {
                Thread.sleep(10);
            }
            pools.values().forEach(Portier::stopPool);
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            accessLog.close();
            LOG.info("portier stopped");
            stopped.complete(null);
        } catch (Throwable e) {
            stopped.completeExceptionally(e);
        }
    }

    private static void closeAll(Listener l, EndReason reason) {
        for (ListenerPort lp : l.ports().values()) {
            for (Channel ch : lp.live()) {
                Relay.close(ch, reason.text());
            }
        }
    }

    /** Graceful stop, waiting for it to complete. */
    @Override
    public void close() {
        shutdown().join();
    }
}
