package io.portier.core.listener;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.portier.config.BindAddress;
import io.portier.config.ListenerConfig;
import io.portier.core.ListenerBindException;
import io.portier.core.log.AccessLog;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.pool.Pool;
import io.portier.core.relay.FrontendHandler;
import io.portier.core.relay.PipelineNames;
import io.portier.core.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A bound listener: its server sockets and one {@link ListenerPort} per frontend port number.
 *
 * <p>With {@code reuse-port = on} on epoll, every bound address gets one SO_REUSEPORT socket per
 * event loop, and each socket hands its connections to its own loop: a connection and its backend
 * connection stay on the loop whose socket accepted it. Otherwise one socket per address accepts,
 * and connections are spread over the loops.
 */
public final class Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    /** One bound address with its actual port and the sockets serving it. */
    public record Binding(InetSocketAddress address, List<Channel> sockets) {}

    private final ListenerConfig config;
    private final List<Binding> bindings;
    private final Map<Integer, ListenerPort> ports;

    private Listener(ListenerConfig config, List<Binding> bindings, Map<Integer, ListenerPort> ports) {
        this.config = config;
        this.bindings = List.copyOf(bindings);
        this.ports = Collections.unmodifiableMap(ports);
    }

    /**
     * Binds every address and port of {@code config}, waiting for each bind. If one fails, every
     * socket bound so far is closed and nothing of the listener remains.
     */
    public static Listener bind(ListenerConfig config, Pool pool, EventLoopGroup loops, Transport transport,
                                AccessLog accessLog, MeterRegistry registry) throws ListenerBindException {
        List<EventLoop> allLoops = new ArrayList<>();
        for (EventExecutor e : loops) {
            allLoops.add((EventLoop) e);
        }
        boolean perLoop = config.reusePort() && transport.isEpoll();
        ListenerPort.Route route = new ListenerPort.Route(config, pool);
        Map<Integer, ListenerPort> ports = new ConcurrentHashMap<>();
        FrontendInitializer child = new FrontendInitializer(ports,
                p -> new ListenerPort(config.name(), p, route, new PortMetrics(registry, config.name(), p),
                        accessLog, transport));
        List<Binding> bindings = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        try {
            for (BindAddress address : config.binds()) {
                for (int p = address.firstPort(); p <= address.lastPort(); p++) {
                    List<Channel> sockets = new ArrayList<>();
                    InetSocketAddress actual = new InetSocketAddress(address.host(), p);
                    try {
                        for (EventLoop loop : perLoop ? allLoops : List.of((EventLoop) loops.next())) {
                            Channel ch = bindOne(config, transport, loop, perLoop ? loop : loops, actual, child);
                            sockets.add(ch);
                            // port 0: the first socket learns the port, the others bind that same port
                            actual = (InetSocketAddress) ch.localAddress();
                        }
                    } catch (Exception e) {
                        sockets.forEach(Channel::close);
                        throw new ListenerBindException(config.name(), format(actual), reason(e), e);
                    }
                    child.portFor(actual.getPort());
                    if (!order.contains(actual.getPort())) {
                        order.add(actual.getPort());
                    }
                    bindings.add(new Binding(actual, List.copyOf(sockets)));
                    LOG.info("listener {} bound {}, {} socket{}, {}", config.name(), format(actual),
                            sockets.size(), sockets.size() == 1 ? "" : "s", transport.name());
                }
            }
        } catch (ListenerBindException e) {
            for (Binding b : bindings) {
                b.sockets().forEach(Channel::close);
            }
            for (ListenerPort lp : ports.values()) {
                lp.metrics().remove();
            }
            throw e;
        }
        Map<Integer, ListenerPort> ordered = new LinkedHashMap<>();
        for (int p : order) {
            ordered.put(p, ports.get(p));
        }
        return new Listener(config, bindings, ordered);
    }

    private static Channel bindOne(ListenerConfig config, Transport transport, EventLoop acceptLoop,
                                   EventLoopGroup childLoops, InetSocketAddress target, ChannelHandler child) {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptLoop, childLoops)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(child);
        if (config.reusePort() && transport.isEpoll()) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return b.bind(target).syncUninterruptibly().channel();
    }

    /** The OS reason of a bind failure, without Netty's "bind(..) failed: " prefix. */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int i = m.indexOf("failed: ");
        return i >= 0 ? m.substring(i + "failed: ".length()) : m;
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            int zone = host.indexOf('%');
            host = "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]";
        }
        return host + ":" + a.getPort();
    }

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
        return ports;
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

    /**
     * Adds the relay to each accepted connection, with the {@link ListenerPort} of the port it came in
     * on (one map read per connection; the map is complete once the listener is bound, and filled on
     * demand for a connection racing the bind of a port-0 socket).
     */
    @ChannelHandler.Sharable
    private static final class FrontendInitializer extends ChannelInitializer<Channel> {
        private final Map<Integer, ListenerPort> ports;
        private final IntFunction<ListenerPort> factory;

        FrontendInitializer(Map<Integer, ListenerPort> ports, IntFunction<ListenerPort> factory) {
            this.ports = ports;
            this.factory = factory;
        }

        ListenerPort portFor(int port) {
            ListenerPort lp = ports.get(port);
            return lp != null ? lp : ports.computeIfAbsent(port, factory::apply);
        }

        @Override
        protected void initChannel(Channel ch) {
            int port = ((InetSocketAddress) ch.localAddress()).getPort();
            ch.pipeline().addLast(PipelineNames.FRONTEND, new FrontendHandler(portFor(port)));
        }
    }
}
