package io.portier.core.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocal;
import io.portier.core.transport.Transport;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * Backend connects without building a {@link Bootstrap} (and a reflective channel factory) per
 * connection: each event-loop thread keeps one, set up once for its loop and transport.
 *
 * <p>Thread: only the event loop that owns the frontend connection calls {@link #connect}; a Bootstrap
 * reads its handler and options while {@code connect} runs (when the channel is created), so reusing
 * one per thread is safe.
 *
 * <p>Backend channels: reads on from the start (the relay is ready when the connect completes),
 * half-closure allowed, SO_KEEPALIVE on, TCP_NODELAY as Netty sets it by default (on).
 */
final class BackendBootstrap {
    private static final FastThreadLocal<BackendBootstrap> PER_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    private final Transport transport;
    private final Bootstrap bootstrap;

    private BackendBootstrap(EventLoop loop, Transport transport) {
        this.loop = loop;
        this.transport = transport;
        ChannelFactory<SocketChannel> factory = transport.isEpoll()
                ? io.netty.channel.epoll.EpollSocketChannel::new
                : io.netty.channel.socket.nio.NioSocketChannel::new;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(factory)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    /** Connects to {@code address} on {@code loop} (the calling thread's loop). */
    static ChannelFuture connect(EventLoop loop, Transport transport, Duration timeout, ChannelHandler handler,
                                 SocketAddress address) {
        BackendBootstrap b = PER_LOOP.get();
        if (b == null || b.loop != loop || b.transport != transport) {
            b = new BackendBootstrap(loop, transport);
            PER_LOOP.set(b);
        }
        return b.bootstrap
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(handler)
                .connect(address);
    }
}
