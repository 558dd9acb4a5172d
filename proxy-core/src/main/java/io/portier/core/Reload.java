package io.portier.core;

import io.netty.channel.Channel;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One reload of a running {@link Portier}: prepare (the only fallible step: bind new addresses), then
 * commit (swap routes, pools, close removed sockets, schedule drains). Runs under Portier's lock.
 */
final class Reload {
    private static final Logger LOG = LoggerFactory.getLogger(Reload.class);

    private final Portier portier;
    private final PortierConfig before;
    private final PortierConfig next;

    Reload(Portier portier, PortierConfig next) {
        this.portier = portier;
        this.before = portier.config();
        this.next = next;
    }

    long apply() throws ListenerBindException {
        // 1. Prepare: bind every new address; on any failure undo this step only.
        Map<String, Listener> added = new LinkedHashMap<>();
        Map<String, List<Listener.Binding>> grown = new LinkedHashMap<>();
        Map<String, Pool> oldPools = portier.pools();
        Map<String, Listener> oldListeners = portier.listeners();
        Map<String, Pool> newPools;
        AccessLog log = next.accessLog().equals(before.accessLog())
                ? portier.accessLog() : new AccessLog(next.accessLog());
        newPools = pools(oldPools);
        try {
            for (ListenerConfig lc : next.listeners().values()) {
                Listener old = oldListeners.get(lc.name());
                if (old == null) {
                    added.put(lc.name(), Listener.bind(lc, newPools.get(lc.pool()), portier.loops(),
                            portier.transport(), log, portier.registry()));
                } else {
                    grown.put(lc.name(), old.bindAdded(lc));
                }
            }
        } catch (ListenerBindException e) {
            added.values().forEach(Listener::stopAccepting);
            grown.forEach((name, bindings) -> oldListeners.get(name).rollback(bindings));
            if (log != portier.accessLog()) {
                log.close();
            }
            throw e;
        }

        // 2. Commit: nothing below can fail for a reason the operator controls.
        swapServerMetrics(oldPools, newPools);
        Map<String, Listener> listeners = new LinkedHashMap<>();
        List<ListenerPort> draining = new ArrayList<>();
        for (ListenerConfig lc : next.listeners().values()) {
            Listener old = oldListeners.get(lc.name());
            if (old == null) {
                listeners.put(lc.name(), added.get(lc.name()));
            } else {
                draining.addAll(old.commit(lc, newPools.get(lc.pool()), grown.get(lc.name()), log));
                listeners.put(lc.name(), old);
            }
        }
        for (Listener old : oldListeners.values()) {
            if (!next.listeners().containsKey(old.name())) {
                List<ListenerPort> ports = List.copyOf(old.ports().values());
                old.stopAccepting();
                draining.addAll(ports);
                LOG.info("listener {} removed: stopped accepting, draining {} connection(s)",
                        old.name(), old.liveConnections());
            }
        }
        portier.swap(next, newPools, listeners, log);
        for (ListenerPort lp : draining) {
            portier.drainingPorts().add(lp);
            drain(lp.live(), lp.route().listener().timeouts().drain(), () -> {
                portier.drainingPorts().remove(lp);
                lp.metrics().remove();
                lp.close();
            });
        }
        retireOldPools(oldPools, newPools);
        if (next.workers() != before.workers() || next.transport() != before.transport()) {
            LOG.warn("workers/transport changed ({} {} -> {} {}): applies at the next start",
                    before.workers(), before.transport(), next.workers(), next.transport());
        }
        return portier.reloadMetrics().applied();
    }

    /** The pools of {@code next}: equal configs keep their Pool; changed ones are rebuilt keeping servers. */
    private Map<String, Pool> pools(Map<String, Pool> old) {
        Map<String, Pool> out = new LinkedHashMap<>();
        for (PoolConfig pc : next.pools().values()) {
            Pool prev = old.get(pc.name());
            if (prev != null && prev.config().equals(pc)) {
                out.put(pc.name(), prev);
                continue;
            }
            List<Server> servers = new ArrayList<>();
            boolean healthy = HealthMonitor.initialHealthy(pc.health());
            for (ServerConfig sc : pc.servers()) {
                Server keep = prev == null ? null : prev.server(sc.name());
                if (keep != null && keep.sameServer(sc)) {
                    keep.update(sc, pc.slowStart());
                    servers.add(keep);
                } else {
                    servers.add(new Server(pc.name(), sc, pc.slowStart(), healthy, System::nanoTime));
                }
            }
            out.put(pc.name(), new Pool(pc, servers));
        }
        return out;
    }

    /**
     * Stops the health checks and unregisters the meters of replaced pools and servers that leave,
     * then registers meters and starts checks for rebuilt pools (kept servers get their same meters
     * back: same names, tags and target object). Old before new, since meters are keyed by name.
     */
    private void swapServerMetrics(Map<String, Pool> old, Map<String, Pool> fresh) {
        for (Pool p : old.values()) {
            Pool replacement = fresh.get(p.name());
            if (replacement == p) {
                continue;
            }
            HealthMonitor h = p.health();
            if (h != null) {
                h.close();
            }
            for (Server s : p.servers()) {
                if (replacement == null || !replacement.servers().contains(s)) {
                    var m = p.metrics(s);
                    if (m != null) {
                        m.remove();
                    }
                }
            }
        }
        for (Pool p : fresh.values()) {
            if (old.get(p.name()) != p) {
                p.registerMetrics(portier.registry());
                p.setHealth(HealthMonitor.start(p, portier.loops(), portier.transport(), portier.registry()));
            }
        }
    }

    /** Drains the live connections of servers that left. */
    private void retireOldPools(Map<String, Pool> old, Map<String, Pool> fresh) {
        Duration drain = longestDrain();
        for (Pool p : old.values()) {
            Pool replacement = fresh.get(p.name());
            if (replacement == p) {
                continue;
            }
            Set<Server> kept = new HashSet<>(replacement == null ? List.of() : replacement.servers());
            for (Server s : p.servers()) {
                if (!kept.contains(s)) {
                    LOG.info("server {} removed: draining {} connection(s)", s, s.active());
                    drain(s.connections(), drain, () -> { });
                }
            }
        }
    }

    private Duration longestDrain() {
        Duration d = Duration.ZERO;
        for (ListenerConfig lc : next.listeners().values()) {
            if (lc.timeouts().drain().compareTo(d) > 0) {
                d = lc.timeouts().drain();
            }
        }
        return d;
    }

    /**
     * Closes each connection of {@code live} with {@code end=drained} by {@code drain}: spread over
     * the last tenth of the window (at most one second) so clients do not all reconnect at once.
     * Connections that end on their own before then are not touched.
     */
    static void drain(Set<Channel> live, Duration drain, Runnable afterwards) {
        long total = drain.toNanos();
        long spread = Math.min(total / 10, TimeUnit.SECONDS.toNanos(1));
        List<Channel> channels = List.copyOf(live);
        for (Channel ch : channels) {
            long at = total - (spread > 0 ? ThreadLocalRandom.current().nextLong(spread) : 0);
            ch.eventLoop().schedule(() -> Relay.close(ch, EndReason.DRAINED.text()), at, TimeUnit.NANOSECONDS);
        }
        if (!channels.isEmpty()) {
            channels.get(0).eventLoop().schedule(afterwards, total + TimeUnit.SECONDS.toNanos(1),
                    TimeUnit.NANOSECONDS);
        } else {
            afterwards.run();
        }
    }
}
