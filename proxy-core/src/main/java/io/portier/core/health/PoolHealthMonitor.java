package io.portier.core.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import io.portier.core.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The health monitor of one pool: one {@link ServerChecker} per server, each on one event loop.
 *
 * <p>Thread-safety: the relay calls {@link #onConnectSuccess} and {@link #onConnectFailure} from every
 * event loop; the checker map is read-only after construction, so they take no lock.
 */
final class PoolHealthMonitor implements HealthMonitor {
    static final Logger LOG = LoggerFactory.getLogger("io.portier.core.health");

    private final PoolConfig config;
    private final List<Server> servers;
    private final Map<Server, ServerChecker> checkers = new IdentityHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private PoolHealthMonitor(PoolConfig config, List<Server> servers) {
        this.config = config;
        this.servers = List.copyOf(servers);
    }

    /**
     * Starts checking {@code servers} (the servers of the pool {@code config} describes).
     *
     * @throws IllegalArgumentException when {@code expect} is a /regex/ that does not compile
     */
    static PoolHealthMonitor start(PoolConfig config, List<Server> servers, EventLoopGroup loops,
                                   Transport transport, MeterRegistry registry) {
        HealthConfig health = config.health();
        HealthCheck check = HealthCheck.of(health);
        PoolHealthMonitor monitor = new PoolHealthMonitor(config, servers);
        for (Server server : monitor.servers) {
            monitor.checkers.put(server, new ServerChecker(monitor, server, loops.next(), transport, health,
                    check, new HealthMetrics(registry, server)));
        }
        for (ServerChecker checker : monitor.checkers.values()) {
            checker.start();
        }
        return monitor;
    }

    @Override
    public void onConnectSuccess(Server server) {
        server.onConnectSuccess();
    }

    @Override
    public void onConnectFailure(Server server, Throwable cause) {
        int failures = server.onConnectFailure();
        int limit = config.health().passive().consecutiveFailures();
        if (limit > 0 && failures >= limit && !closed.get()) {
            ServerChecker checker = checkers.get(server);
            if (checker != null) {
                checker.passiveFailures(failures, cause);
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ServerChecker checker : checkers.values()) {
            checker.stop();
            checker.metrics().remove();
        }
    }

    /**
     * Sets a server's health and, when that is a change, logs it in one line and applies
     * {@code on-server-down}. Called on the server's event loop.
     *
     * @param why the counters that decided, e.g. "3 of 3 failed"
     */
    void transition(Server server, boolean up, CheckResult result, String why) {
        if (!server.setHealthy(up, result)) {
            return;
        }
        int closedConnections = 0;
        if (!up && config.onServerDown() == PoolConfig.OnServerDown.CLOSE) {
            closedConnections = EndReasons.closeConnections(server, EndReasons.SERVER_DOWN);
        }
        String line = "server " + server + " is " + (up ? "UP" : "DOWN") + " (" + result.code()
                + (result.detail().isEmpty() ? "" : " " + result.detail()) + ", " + why + "); "
                + upCount() + " of " + servers.size() + " servers up in " + config.name()
                + (closedConnections > 0 ? "; closed " + closedConnections + " connections" : "");
        if (up) {
            LOG.info(line);
        } else {
            LOG.warn(line);
        }
    }

    private int upCount() {
        int n = 0;
        for (Server s : servers) {
            if (s.state() == ServerState.UP) {
                n++;
            }
        }
        return n;
    }
}
