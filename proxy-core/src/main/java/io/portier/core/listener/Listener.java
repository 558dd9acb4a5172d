package io.portier.core.listener;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.portier.config.BindAddress;
import io.portier.config.ListenerConfig;
import io.portier.core.ListenerBindException;
import io.portier.core.limit.RejectionLog;
import io.portier.core.log.AccessLog;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.pool.Pool;
import io.portier.core.transport.Addresses;
import io.portier.core.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A bound listener: its server sockets and one {@link ListenerPort} per frontend port number.
 *
 * <p>With {@code reuse-port = on} on epoll, every bound address gets one SO_REUSEPORT socket per
 * event loop, and each socket hands its connections to its own loop: a connection and its backend
 * connection stay on the loop whose socket accepted it. Otherwise one socket per address accepts,
 * and connections are spread over the loops.
 *
 * <p>A reload keeps every socket whose address did not change: {@link #bindAdded} binds only the new
 * addresses (the fallible step), then {@link #commit} switches the route of every port and closes
 * the sockets of removed addresses. Thread-safety: bind, commit and stop are called by one thread at a
 * time (the reload lock); the accept path reads only the concurrent port map and volatile routes.
 */
public final class Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    /** One address of the config's {@code bind}, with one port of its range. */
    public record BindKey(String host, int port) {}

    /** One bound address with its actual port and the sockets serving it. */
    public record Binding(BindKey key, InetSocketAddress address, List<Channel> sockets) {}

    private final EventLoopGroup loops;
    private final Transport transport;
    private final Map<Integer, ListenerPort> ports = new ConcurrentHashMap<>();
    private final IntFunction<ListenerPort> newPort;
    private volatile ListenerConfig config;
    private volatile ListenerPort.Route route;
    private volatile AccessLog accessLog;
    private volatile List<Binding> bindings = List.of();

    private Listener(ListenerConfig config, Pool pool, EventLoopGroup loops, Transport transport,
                     AccessLog accessLog, MeterRegistry registry) {
        this.config = config;
        this.loops = loops;
        this.transport = transport;
        this.accessLog = accessLog;
        this.route = new ListenerPort.Route(config, pool);
        RejectionLog rejections = new RejectionLog(config.name());
        this.newPort = p -> new ListenerPort(config.name(), p, route,
                new PortMetrics(registry, config.name(), p), this.accessLog, transport, rejections);
    }

    /**
     * Binds every address and port of {@code config}, waiting for each bind. If one fails, every
     * socket bound so far is closed and nothing of the listener remains.
     */
    public static Listener bind(ListenerConfig config, Pool pool, EventLoopGroup loops, Transport transport,
                                AccessLog accessLog, MeterRegistry registry) throws ListenerBindException {
        Listener l = new Listener(config, pool, loops, transport, accessLog, registry);
        try {
            l.bindings = l.bindAdded(config);
        } catch (ListenerBindException e) {
            l.ports.values().forEach(p -> p.metrics().remove());
            throw e;
        }
        return l;
    }

    static List<BindKey> keys(ListenerConfig config) {
        Set<BindKey> keys = new LinkedHashSet<>();
        for (BindAddress address : config.binds()) {
            for (int p = address.firstPort(); p <= address.lastPort(); p++) {
                keys.add(new BindKey(address.host(), p));
            }
        }
        return List.copyOf(keys);
    }

    /**
     * Binds the addresses of {@code next} that this listener does not hold yet. On failure, closes
     * what this call bound and throws; the listener is unchanged.
     *
     * @return the new bindings, to pass to {@link #commit} or {@link #rollback}
     */
    public List<Binding> bindAdded(ListenerConfig next) throws ListenerBindException {
        Set<BindKey> held = new LinkedHashSet<>();
        for (Binding b : bindings) {
            held.add(b.key());
        }
        List<EventLoop> allLoops = new ArrayList<>();
        for (EventExecutor e : loops) {
            allLoops.add((EventLoop) e);
        }
        boolean perLoop = next.reusePort() && transport.isEpoll();
        List<Binding> added = new ArrayList<>();
        for (BindKey key : keys(next)) {
            if (held.contains(key)) {
                continue;
            }
            List<Channel> sockets = new ArrayList<>();
            InetSocketAddress actual = new InetSocketAddress(key.host(), key.port());
            try {
                for (EventLoop loop : perLoop ? allLoops : List.of((EventLoop) loops.next())) {
                    Channel ch = bindOne(next, loop, perLoop ? loop : loops, actual);
                    sockets.add(ch);
                    // port 0: the first socket learns the port, the others bind that same port
                    actual = (InetSocketAddress) ch.localAddress();
                }
            } catch (Exception e) {
                sockets.forEach(Channel::close);
                rollback(added);
                throw new ListenerBindException(next.name(), Addresses.format(actual), reason(e), e);
            }
            ListenerPort lp = portFor(actual.getPort());
            sockets.forEach(lp::addSocket);
            added.add(new Binding(key, actual, List.copyOf(sockets)));
            LOG.info("listener {} bound {}, {} socket{}, {}", next.name(), Addresses.format(actual),
                    sockets.size(), sockets.size() == 1 ? "" : "s", transport.name());
        }
        return added;
    }

    /** Closes bindings made by {@link #bindAdded} that a failed reload does not keep. */
    public void rollback(List<Binding> added) {
        for (Binding b : added) {
            b.sockets().forEach(s -> s.close().syncUninterruptibly());
            ListenerPort lp = ports.get(b.address().getPort());
            if (lp != null && lp.live().isEmpty() && bindings.stream().noneMatch(
                    x -> x.address().getPort() == b.address().getPort())) {
                ports.remove(b.address().getPort());
                lp.metrics().remove();
            }
        }
    }

    /**
     * Applies {@code next}: new connections on every port use its settings and {@code pool}; the
     * sockets of addresses it no longer lists are closed.
     *
     * @return the ports no longer bound at all, whose live connections the caller drains
     */
    public List<ListenerPort> commit(ListenerConfig next, Pool pool, List<Binding> added, AccessLog log) {
        Set<BindKey> wanted = new LinkedHashSet<>(keys(next));
        List<Binding> kept = new ArrayList<>();
        for (Binding b : bindings) {
            if (wanted.contains(b.key())) {
                kept.add(b);
            } else {
                b.sockets().forEach(s -> s.close().syncUninterruptibly());
                LOG.info("listener {} unbound {}", next.name(), Addresses.format(b.address()));
            }
        }
        kept.addAll(added);
        config = next;
        accessLog = log;
        route = new ListenerPort.Route(next, pool);
        bindings = List.copyOf(kept);
        Set<Integer> boundPorts = new LinkedHashSet<>();
        for (Binding b : kept) {
            boundPorts.add(b.address().getPort());
        }
        List<ListenerPort> gone = new ArrayList<>();
        for (ListenerPort lp : List.copyOf(ports.values())) {
            lp.setRoute(route);
            lp.setAccessLog(log);
            if (!boundPorts.contains(lp.port())) {
                ports.remove(lp.port());
                lp.setDraining(true);
                gone.add(lp);
            }
        }
        return gone;
    }

    private Channel bindOne(ListenerConfig config, EventLoop acceptLoop, EventLoopGroup childLoops,
                            InetSocketAddress target) {
        ServerSocketChannel server = transport.newServerChannel(target);
        try {
            server.config().setBacklog(config.backlog());
            server.config().setReuseAddress(true);
            if (config.reusePort() && transport.isEpoll()) {
                server.config().setOption(EpollChannelOption.SO_REUSEPORT, true);
            }
            server.pipeline().addLast(new Acceptor(childLoops, this::portFor));
            acceptLoop.register(server).syncUninterruptibly();
            server.bind(target).syncUninterruptibly();
            return server;
        } catch (Throwable e) {
            // A failed bind comes as Netty's (checked) native exception, rethrown unchecked.
            server.close();
            throw e;
        }
    }

    /**
     * The {@link ListenerPort} of {@code port}, for the connections it accepts (read once per
     * listening socket, by its {@link Acceptor}; the map is complete once the listener is bound, and
     * filled on demand for a connection racing the bind of a port-0 socket).
     */
    private ListenerPort portFor(int port) {
        ListenerPort lp = ports.get(port);
        return lp != null ? lp : ports.computeIfAbsent(port, newPort::apply);
    }

    /** The OS reason of a bind failure, without Netty's "bind(..) failed: " prefix. */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // epoll: "bind(..) failed with error(-98): Address already in use"; NIO: "Address already in use"
        java.util.regex.Matcher prefix = BIND_PREFIX.matcher(m);
        return prefix.lookingAt() ? m.substring(prefix.end()) : m;
    }

    private static final java.util.regex.Pattern BIND_PREFIX =
            java.util.regex.Pattern.compile("bind\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    public ListenerConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public List<Binding> bindings() {
        return bindings;
    }

    /** One {@link ListenerPort} per frontend port number, in bind order. */
    public Map<Integer, ListenerPort> ports() {
        Map<Integer, ListenerPort> ordered = new LinkedHashMap<>();
        for (Binding b : bindings) {
            ListenerPort lp = ports.get(b.address().getPort());
            if (lp != null) {
                ordered.putIfAbsent(lp.port(), lp);
            }
        }
        return ordered;
    }

    /** Stops accepting: closes every listening socket and waits for the close. */
    public void stopAccepting() {
        for (ListenerPort lp : ports.values()) {
            lp.setDraining(true);
        }
        for (Binding b : bindings) {
            for (Channel s : b.sockets()) {
                s.close().syncUninterruptibly();
            }
        }
    }

    /** Live frontend connections across every port of this listener. */
    public int liveConnections() {
        int n = 0;
        for (ListenerPort lp : ports.values()) {
            n += lp.live().size();
        }
        return n;
    }
}
