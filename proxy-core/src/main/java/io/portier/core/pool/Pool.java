package io.portier.core.pool;

import io.portier.config.PoolConfig;
import io.portier.core.balance.Balancer;
import io.micrometer.core.instrument.MeterRegistry;
import io.portier.core.health.HealthMonitor;
import io.portier.core.metrics.ServerMetrics;

import java.net.InetAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.function.Predicate;

/**
 * A pool at run time: its servers, its balancer and its health monitor.
 *
 * <p>Thread-safety: {@link #select} is called from every event loop at once; it takes no lock.
 */
public final class Pool {
    private final PoolConfig config;
    private final List<Server> servers;
    private final Balancer balancer;
    private volatile HealthMonitor health;
    private volatile Map<Server, ServerMetrics> metrics = Map.of();

    public Pool(PoolConfig config, List<Server> servers) {
        this.config = config;
        this.servers = List.copyOf(servers);
        this.balancer = Balancer.of(config.balance(), this.servers);
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    public List<Server> servers() {
        return servers;
    }

    public Server server(String name) {
        for (Server s : servers) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Registers each server's relay meters; called once when the pool starts. */
    public void registerMetrics(MeterRegistry registry) {
        Map<Server, ServerMetrics> m = new IdentityHashMap<>();
        for (Server s : servers) {
            m.put(s, new ServerMetrics(registry, s));
        }
        metrics = m;
    }

    /** The server's relay meters, or null before {@link #registerMetrics}. */
    public ServerMetrics metrics(Server server) {
        return metrics.get(server);
    }

    /** Removes the meters registered by {@link #registerMetrics}. */
    public void removeMetrics() {
        for (ServerMetrics m : metrics.values()) {
            m.remove();
        }
        metrics = Map.of();
    }

    public HealthMonitor health() {
        return health;
    }

    public void setHealth(HealthMonitor health) {
        this.health = health;
    }

    /**
     * Picks a server for a new connection: a non-backup available server if any, else a backup.
     *
     * @param notTried false for servers already tried by this connection
     * @return null when no server is available
     */
    public Server select(InetAddress client, Predicate<Server> notTried) {
        Server s = balancer.pick(client, srv -> !srv.backup() && srv.isAvailable() && notTried.test(srv));
        if (s == null) {
            s = balancer.pick(client, srv -> srv.backup() && srv.isAvailable() && notTried.test(srv));
        }
        return s;
    }

    /** Counts the servers that are UP, for the state-change log line. */
    public int upCount() {
        int n = 0;
        for (Server s : servers) {
            if (s.state() == ServerState.UP) {
                n++;
            }
        }
        return n;
    }
}
