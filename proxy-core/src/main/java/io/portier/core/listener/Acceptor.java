package io.portier.core.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DuplexChannelConfig;
import io.portier.core.relay.FrontendPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The handler of a listening socket: gives each accepted connection its settings and its relay
 * pipeline, then registers it with its event loop. It is what Netty's {@code ServerBootstrap} acceptor
 * followed by a {@code ChannelInitializer} do, in one step per connection and without what those
 * cost on every accept and a proxy does not use: the child options and attributes copied from maps
 * and applied one by one, an initializer added, run and removed again (with a concurrent map entry
 * each way), and a listener on every registration.
 *
 * <p>Accepted connections: auto-read off (the relay reads once a server is connected), half-closure
 * allowed. TCP_NODELAY is on as Netty's socket channels set it; SO_KEEPALIVE is set by the relay
 * from the listener's {@code tcp-keepalive}, so a reload changes it for new connections.
 *
 * <p>An accept error (such as running out of file descriptors) stops accepting on this socket for one
 * second, so the loop does not spin on it, as {@code ServerBootstrap} does; the pending clients wait in
 * the kernel's backlog meanwhile.
 *
 * <p>Thread: the listening socket's event loop. One per listening socket.
 */
final class Acceptor extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);
    private static final long ACCEPT_ERROR_PAUSE_MILLIS = 1000;

    private final EventLoopGroup childLoops;
    private final IntFunction<ListenerPort> ports;
    /**
     * This socket's port, looked up at its first accept. A port stays in its listener while any of
     * its sockets is open, so the lookup holds for the socket's life. Loop only.
     */
    private ListenerPort port;

    /**
     * @param childLoops where accepted connections are registered: the listening socket's own loop
     *                   (SO_REUSEPORT, one socket per loop) or the whole group
     * @param ports      the {@link ListenerPort} of a frontend port number
     */
    Acceptor(EventLoopGroup childLoops, IntFunction<ListenerPort> ports) {
        this.childLoops = childLoops;
        this.ports = ports;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            // Auto-read stays as the pipeline sets it (FrontendPipeline): on, to read what the client
            // sends while the server connects, or off until a PROXY header is asked for.
            ((DuplexChannelConfig) child.config()).setAllowHalfClosure(true);
            ListenerPort lp = port;
            if (lp == null) {
                // The listening socket's port (the connection's local port too), known without a
                // getsockname on the new socket.
                lp = port = ports.apply(((InetSocketAddress) ctx.channel().localAddress()).getPort());
            }
            FrontendPipeline.init(child, lp);
            ChannelFuture registered = childLoops.next().register(child);
            if (registered.isDone()) {
                // The usual case: registered from the child's own loop, at once.
                if (!registered.isSuccess()) {
                    forceClose(child, registered.cause());
                }
            } else {
                registered.addListener(f -> {
                    if (!f.isSuccess()) {
                        forceClose(child, f.cause());
                    }
                });
            }
        } catch (Throwable t) {
            forceClose(child, t);
        }
    }

    private static void forceClose(Channel child, Throwable cause) {
        child.unsafe().closeForcibly();
        LOG.warn("accepted connection {} closed: could not be set up: {}", child, cause.toString());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true),
                    ACCEPT_ERROR_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
        LOG.warn("accept on {} failed: {}; accepting again in {} ms", ctx.channel().localAddress(),
                cause.toString(), ACCEPT_ERROR_PAUSE_MILLIS);
    }
}
