package io.portier.core.listener;

import io.netty.channel.Channel;
import io.portier.config.ListenerConfig;
import io.portier.core.log.AccessLog;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.pool.Pool;
import io.portier.core.transport.Transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state shared by every connection on one frontend port of a listener, across all event loops
 * and every address the listener binds with that port: the route (listener config and pool), the
 * port's meters and the set of live frontend connections.
 *
 * <p>Thread-safety: the route is a volatile snapshot swapped whole by a reload; new connections read
 * it once when they start. {@link #live()} is a concurrent set touched once per connection.
 */
public final class ListenerPort {

    /** What a new connection on this port uses: read once at accept time. */
    public record Route(ListenerConfig listener, Pool pool) {}

    private final String listener;
    private final int port;
    private final PortMetrics metrics;
    private volatile AccessLog accessLog;
    private final Transport transport;
    private final Set<Channel> live = ConcurrentHashMap.newKeySet();
    private volatile Route route;
    private volatile boolean draining;

    public ListenerPort(String listener, int port, Route route, PortMetrics metrics, AccessLog accessLog,
                        Transport transport) {
        this.listener = listener;
        this.port = port;
        this.route = route;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.transport = transport;
    }

    public String listener() {
        return listener;
    }

    /** The actual port number (port 0 in the config is resolved). */
    public int port() {
        return port;
    }

    public Route route() {
        return route;
    }

    public void setRoute(Route route) {
        this.route = route;
    }

    public PortMetrics metrics() {
        return metrics;
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    /** New connections log to {@code log} (a reload changed access-log settings). */
    public void setAccessLog(AccessLog log) {
        this.accessLog = log;
    }

    public Transport transport() {
        return transport;
    }

    /** Live frontend connections on this port. */
    public Set<Channel> live() {
        return live;
    }

    public boolean draining() {
        return draining;
    }

    public void setDraining(boolean draining) {
        this.draining = draining;
    }
}
