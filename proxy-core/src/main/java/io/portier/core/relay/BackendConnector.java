package io.portier.core.relay;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.PortierSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portier.core.transport.Transport;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;

/**
 * Opens backend connections the way Netty's {@code Bootstrap} does (create, initialise, register,
 * connect), minus what a proxy pays for on every connection and does not use: the options and
 * attributes maps copied and applied one by one, and the resolver group lookup (which takes a lock).
 *
 * <p>Thread: called on the event loop that owns the frontend connection; the channel is registered
 * with that loop, so registration completes before {@code connect} is called.
 *
 * <p>Backend channels: half-closure allowed (an end of stream from the server is relayed as a
 * half-close), SO_KEEPALIVE as the listener's {@code tcp-keepalive} says, TCP_NODELAY as Netty sets
 * it by default (on), reads on from the start (the relay is ready when the connect completes; on
 * epoll EPOLLIN is asked for in the first {@code EPOLL_CTL_ADD}, not in a later MOD: see
 * {@link PortierSocketChannel#connecting}). An IPv4 server gets an IPv4 socket (an IPv6 one would need
 * IPV6_V6ONLY cleared, one more syscall).
 */
final class BackendConnector {
    private static final SelectorProvider NIO_PROVIDER = SelectorProvider.provider();

    private BackendConnector() {}

    /**
     * Connects to {@code address} on {@code loop}. The caller closes the channel of a failed
     * connect, as Bootstrap's listener does (it never was active, so its handler sees no
     * {@code channelInactive}); a listener of its own here would cost every connect a second one.
     *
     * @throws UnknownHostException when {@code address} names a host that does not resolve
     * @throws io.netty.channel.ChannelException when no socket can be created (file descriptors)
     */
    static ChannelFuture connect(EventLoop loop, Transport transport, Duration timeout, boolean keepAlive,
                                 ChannelHandler handler, InetSocketAddress address) throws UnknownHostException {
        InetSocketAddress target = address.isUnresolved() ? resolve(address) : address;
        SocketProtocolFamily family = target.getAddress() instanceof Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        SocketChannel ch = transport.isEpoll() ? PortierSocketChannel.connecting(family) : new NioSocketChannel(NIO_PROVIDER, family);
        ch.config().setAllowHalfClosure(true);
        ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (keepAlive) {
            ch.config().setKeepAlive(true);
        }
        ch.pipeline().addLast(PipelineNames.BACKEND, handler);
        ChannelFuture registered = loop.register(ch);
        if (registered.isDone() && !registered.isSuccess()) {
            ch.unsafe().closeForcibly();
            return registered;
        }
        // Registration from the loop's own thread has completed here; from another thread, the
        // connect is queued behind it on the same loop (as Bootstrap does).
        return ch.connect(target);
    }

    /**
     * A server given by name: resolved here, as Netty's default resolver does (the JVM caches the
     * answer for {@code networkaddress.cache.ttl}).
     */
    private static InetSocketAddress resolve(InetSocketAddress unresolved) throws UnknownHostException {
        InetSocketAddress resolved = new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
        if (resolved.isUnresolved()) {
            throw new UnknownHostException(unresolved.getHostString());
        }
        return resolved;
    }
}
