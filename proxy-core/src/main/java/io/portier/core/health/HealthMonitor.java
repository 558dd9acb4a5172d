package io.portier.core.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.portier.config.HealthConfig;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import io.portier.core.transport.Transport;

/**
 * Health checking of one pool: active checks on the event loops and passive ejection from live
 * traffic. One instance per pool; {@link #close()} stops every check.
 *
 * <p>Starting state: a new server starts UP (as in HAProxy), and with active checks the first failed
 * check takes a never-checked server DOWN at once, after which it takes {@code rise} passed checks to
 * come UP and {@code fall} failed ones to go DOWN.
 *
 * <p>Active checks: each server has one event loop; a check is one connect on it, bounded by
 * {@code timeout}, and the next one starts {@code interval} (plus or minus 10%) after the last one
 * ended; the first one starts at a random point within the first interval. Start times are rounded
 * up to 10 ms so the checks of many servers share event-loop wakeups. A server whose address
 * has no port (port for port forwarding) has no active check and only passive ejection applies.
 *
 * <p>Passive ejection: {@code passive.consecutive-failures} connect failures in a row on live traffic
 * take a server DOWN at once for {@code passive.ejection}. Active checks keep running meanwhile and
 * the passed ones count, but the server comes back only when the ejection is over: then a check runs
 * at once and the server is UP when the last {@code rise} checks passed. With {@code type = none} it
 * is UP again when the ejection ends, and the next live connect failure ejects it again (a trial).
 *
 * <p>Each state change is one log line on the {@code io.portier.core.health} logger, e.g.
 * {@code server web/a is DOWN (L4CON connection refused, 3 of 3 failed); 1 of 2 servers up in web}.
 * With {@code on-server-down = close} a server going DOWN has its live connections closed with
 * {@code end=server-down} (see {@link EndReasons#closeConnections}).
 */
public interface HealthMonitor extends AutoCloseable {

    /** Called by the relay, on the connection's event loop, after a backend connect succeeded. */
    void onConnectSuccess(Server server);

    /** Called by the relay, on the connection's event loop, after a backend connect failed. */
    void onConnectFailure(Server server, Throwable cause);

    /** Stops every scheduled check and removes this monitor's meters; idempotent. */
    @Override
    void close();

    /**
     * Starts checking {@code pool}'s servers on {@code loops} and sets itself as the pool's monitor.
     * Servers keep the health they have (see {@link #initialHealthy}).
     *
     * @throws IllegalArgumentException when {@code expect} is a /regex/ that does not compile
     */
    static HealthMonitor start(Pool pool, EventLoopGroup loops, Transport transport, MeterRegistry registry) {
        HealthMonitor monitor = PoolHealthMonitor.start(pool.config(), pool.servers(), loops, transport, registry);
        pool.setHealth(monitor);
        return monitor;
    }

    /**
     * The health a new server of a pool with this config starts with: always UP (true), whatever the
     * check type; see the class comment for what the first check does.
     */
    static boolean initialHealthy(HealthConfig health) {
        return true;
    }
}
