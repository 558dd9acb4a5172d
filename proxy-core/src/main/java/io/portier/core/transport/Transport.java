package io.portier.core.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.PortierServerSocketChannel;
import io.netty.channel.epoll.PortierSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.portier.config.PortierConfig;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * The I/O transport: native epoll on Linux when it loads, NIO elsewhere. Immutable. On epoll the
 * channels are Portier's own ({@link PortierSocketChannel}, {@link PortierServerSocketChannel}: Netty's
 * with the syscalls a proxy does not need per connection taken out).
 *
 * @param name "epoll" or "nio", as logged and shown by the admin API
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannelClass,
        Class<? extends SocketChannel> channelClass) {

    /**
     * Resolves the configured transport.
     *
     * @throws IllegalStateException when {@code epoll} is asked for and cannot load; the message
     *                               carries the cause Netty gives
     */
    public static Transport select(PortierConfig.Transport wanted) {
        switch (wanted) {
            case NIO:
                return nio();
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("transport: epoll (expected: epoll to load on this host: "
                            + Epoll.unavailabilityCause() + ")");
                }
                return epoll();
            default:
                return Epoll.isAvailable() ? epoll() : nio();
        }
    }

    public static Transport epoll() {
        return new Transport("epoll", fixedThread(EpollIoHandler.newFactory()),
                PortierServerSocketChannel.class, PortierSocketChannel.class);
    }

    public static Transport nio() {
        return new Transport("nio", fixedThread(NioIoHandler.newFactory()),
                NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /**
     * {@code factory}, with its loops kept on one thread for life. Netty lets a loop whose handler
     * allows it be suspended and resumed on another thread (for auto-scaling groups, which Portier
     * does not use); such a loop times every round of I/O for the scaler, three clock reads per
     * wake-up that nothing reads. Portier's loops own their connections for life anyway.
     */
    static IoHandlerFactory fixedThread(IoHandlerFactory factory) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
                return factory.newHandler(ioExecutor);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return false;
            }
        };
    }

    public boolean isEpoll() {
        return "epoll".equals(name);
    }

    /**
     * A new listening socket for {@code address}: an IPv4 socket for a specific IPv4 address (as
     * HAProxy and nginx open), rather than the JVM's default dual-stack IPv6 socket, whose accepted
     * connections carry IPv4-mapped addresses and the kernel's larger IPv6 socket; such an address
     * accepts IPv4 clients only either way. Otherwise an IPv6 socket: {@code 0.0.0.0} and {@code :8080}
     * keep taking IPv6 clients too, as they always have here, and so does {@code [::]}.
     */
    public ServerSocketChannel newServerChannel(InetSocketAddress address) {
        SocketProtocolFamily family = address.getAddress() instanceof Inet4Address v4 && !v4.isAnyLocalAddress()
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return isEpoll() ? new PortierServerSocketChannel(family)
                : new NioServerSocketChannel(SelectorProvider.provider(), family);
    }

    /**
     * A new group of {@code threads} event loops of this transport, each with its share of the buffer
     * pool already set up (see {@link #warmBufferPool}).
     */
    public EventLoopGroup newGroup(int threads, String threadPrefix) {
        return newGroup(threads, threadPrefix, ByteBufAllocator.DEFAULT);
    }

    /** {@link #newGroup(int, String)}, warming {@code allocator}: the channels' allocator, or a test's. */
    EventLoopGroup newGroup(int threads, String threadPrefix, ByteBufAllocator allocator) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
        try {
            warmBufferPool(group, allocator);
        } catch (RuntimeException | Error e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        return group;
    }

    /**
     * Takes one I/O buffer from {@code allocator} on every loop of {@code group} and gives it back.
     * A relayed read batch does not use the pool, so on a busy relay the first buffer that does (a
     * read before the two sockets are paired, the rest of a partial send) can come hours after start.
     * Netty's pooled allocator sets up a loop's first chunk only then, and the JFR event classes it
     * initialises with it: tens of milliseconds of class loading, reflection and compilation on that
     * loop, a stall for every connection it carries. Done here, that is part of start-up.
     */
    static void warmBufferPool(EventLoopGroup group, ByteBufAllocator allocator) {
        for (EventExecutor loop : group) {
            loop.submit(() -> {
                ByteBuf buf = allocator.directBuffer(1024);
                try {
                    buf.writeLong(0L);
                } finally {
                    buf.release();
                }
            }).syncUninterruptibly();
        }
    }
}
