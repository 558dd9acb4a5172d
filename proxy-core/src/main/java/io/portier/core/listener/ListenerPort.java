package io.portier.core.listener;

import io.netty.channel.Channel;
import io.portier.config.ListenerConfig;
import io.portier.core.limit.AcceptPause;
import io.portier.core.limit.Admission;
import io.portier.core.limit.RejectionLog;
import io.portier.core.limit.Shaping;
import io.portier.core.log.AccessLog;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.pool.Pool;
import io.portier.core.transport.Transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state shared by every connection on one frontend port of a listener, across all event loops
 * and every address the listener binds with that port: the route (listener config and pool), the
 * port's meters, the set of live frontend connections, and admission control (limits, access lists,
 * bandwidth, the accept pause) with its listening sockets.
 *
 * <p>Thread-safety: the route is a volatile snapshot swapped whole by a reload; new connections read
 * it once when they start. {@link #live()} is a concurrent set touched once per connection. The
 * {@link Admission} is a volatile reference too: {@link #setRoute} keeps the same instance (and its
 * counters) when limits and access did not change.
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
    private final RejectionLog rejections;
    private final AcceptPause acceptPause;
    private final Shaping shaping;
    private volatile Route route;
    private volatile Admission admission;
    private volatile boolean draining;

    public ListenerPort(String listener, int port, Route route, PortMetrics metrics, AccessLog accessLog,
                        Transport transport, RejectionLog rejections) {
        this.listener = listener;
        this.port = port;
        this.route = route;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.transport = transport;
        this.rejections = rejections;
        this.admission = Admission.of(route.listener().limits(), route.listener().access());
        this.acceptPause = new AcceptPause(port, this::admission, rejections);
        this.shaping = new Shaping(route.listener().limits().bandwidth());
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

    /**
     * A reload's new route. The admission is reconfigured from its limits and access lists: the
     * same instance when they did not change, so counters and buckets carry on.
     */
    public void setRoute(Route route) {
        ListenerConfig lc = route.listener();
        setAdmission(admission.reconfigure(lc.limits(), lc.access()));
        shaping.reconfigure(lc.limits().bandwidth());
        this.route = route;
    }

    /** Admission control for new connections on this port. */
    public Admission admission() {
        return admission;
    }

    /** Replaces the admission (permits of the old one stay valid and release to it). */
    public void setAdmission(Admission admission) {
        this.admission = admission;
    }

    /** {@code on-limit = pause}, and the listening sockets of this port it pauses. */
    public AcceptPause acceptPause() {
        return acceptPause;
    }

    /** A listening socket serving this port (one per address, or per event loop with reuse-port). */
    public void addSocket(Channel socket) {
        acceptPause.addSocket(socket);
    }

    public Shaping shaping() {
        return shaping;
    }

    /** The listener's once-a-second rejection warning. */
    public RejectionLog rejections() {
        return rejections;
    }

    /** Frees what the port holds beyond its connections (the port bandwidth shaper's timer). */
    public void close() {
        shaping.close();
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
