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
import io.portier.core.metrics.ReloadMetrics;
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
    private final MeterRegistry registry;
    private final ReloadMetrics reloadMetrics;
    private final List<AccessLog> retiredAccessLogs = new ArrayList<>();
    /** Ports removed by a reload whose connections are still draining. */
    private final java.util.Set<ListenerPort> draining = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile PortierConfig current;
    private volatile Map<String, Pool> pools;
    private volatile Map<String, Listener> listeners;
    private volatile AccessLog currentAccessLog;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;

    private Portier(PortierConfig config, Transport transport, EventLoopGroup loops, AccessLog accessLog,
                    Map<String, Pool> pools, Map<String, Listener> listeners, MeterRegistry registry) {
        this.config = config;
        this.current = config;
        this.transport = transport;
        this.loops = loops;
        this.currentAccessLog = accessLog;
        this.pools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pools));
        this.listeners = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(listeners));
        this.registry = registry;
        this.reloadMetrics = new ReloadMetrics(registry);
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
        return new Portier(config, transport, loops, accessLog, pools, listeners, registry);
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

    /** The config running now (the last one applied). */
    public PortierConfig config() {
        return current;
    }

    /** Reload counters and the config generation. */
    public ReloadMetrics reloadMetrics() {
        return reloadMetrics;
    }

    /**
     * Applies {@code next} as a diff, atomically from a connection's point of view: listeners whose
     * addresses did not change keep their sockets; new addresses are bound first and, if one fails,
     * everything this reload bound is closed again and nothing changes. Pools whose config is equal are
     * kept; a changed pool is rebuilt keeping every server whose name and address did not change
     * (health, counters, admin state, weight override). Removed listeners, addresses and servers take
     * no new connections and their live ones close with {@code end=drained} within
     * {@code timeouts.drain}. {@code workers} and {@code transport} apply at the next start only.
     *
     * @return the new generation
     */
    public synchronized long reload(PortierConfig next) throws ListenerBindException {
        if (stopping) {
            throw new IllegalStateException("reload: shutting down (expected: a running proxy)");
        }
        return new Reload(this, next).apply();
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return transport.name();
    }

    public int workers() {
        return config.workers();
    }

    EventLoopGroup loops() {
        return loops;
    }

    Transport transport() {
        return transport;
    }

    MeterRegistry registry() {
        return registry;
    }

    AccessLog accessLog() {
        return currentAccessLog;
    }

    java.util.Set<ListenerPort> drainingPorts() {
        return draining;
    }

    /** Publishes a reloaded state (called by {@link Reload} under the reload lock). */
    void swap(PortierConfig next, Map<String, Pool> nextPools, Map<String, Listener> nextListeners, AccessLog log) {
        if (log != currentAccessLog) {
            retiredAccessLogs.add(currentAccessLog);
            currentAccessLog = log;
        }
        pools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nextPools));
        listeners = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nextListeners));
        current = next;
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
            for (ListenerPort lp : draining) {
                lp.live().forEach(ch -> Relay.close(ch, EndReason.SHUTDOWN.text()));
            }
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while ((listeners.values().stream().anyMatch(l -> l.liveConnections() > 0)
                    || draining.stream().anyMatch(lp -> !lp.live().isEmpty()))
                    && System.nanoTime() < closeDeadline) {
                Thread.sleep(10);
            }
            pools.values().forEach(Portier::stopPool);
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            currentAccessLog.close();
            retiredAccessLogs.forEach(AccessLog::close);
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
