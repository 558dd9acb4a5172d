package io.portier.core.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.PortierServerSocketChannel;
import io.netty.channel.epoll.PortierSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Portier's own epoll channels, on real loopback sockets: accepted connections and their addresses,
 * the socket options, SO_REUSEPORT, connect failures, a half-close that keeps the socket writable,
 * and a lingering close.
 */
class PortierChannelsTest {
    private static EventLoopGroup loops;

    @BeforeAll
    static void start() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        loops = Transport.epoll().newGroup(1, "channels-test");
    }

    @AfterAll
    static void stop() {
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** An echo listener on 127.0.0.1:0 that hands each accepted channel to {@code accepted}. */
    private static Channel echoListener(BlockingQueue<Channel> accepted, boolean reusePort, int port) {
        ServerBootstrap b = new ServerBootstrap().group(loops).channel(PortierServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }
                        });
                    }
                });
        if (reusePort) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return b.bind(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly().channel();
    }

    private static Channel connect(InetSocketAddress to, BlockingQueue<Object> received) {
        return new Bootstrap().group(loops).channel(PortierSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        received.add(buf.toString(StandardCharsets.US_ASCII));
                        buf.release();
                    }
                })
                .connect(to).syncUninterruptibly().channel();
    }

    @Test
    void acceptedConnectionsArePortierChannelsThatKnowBothAddresses() throws Exception {
        BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(4);
        Channel listener = echoListener(accepted, false, 0);
        BlockingQueue<Object> received = new ArrayBlockingQueue<>(4);
        Channel client = connect((InetSocketAddress) listener.localAddress(), received);
        try {
            Channel child = accepted.poll(5, TimeUnit.SECONDS);
            assertThat(child).isInstanceOf(PortierSocketChannel.class);
            assertThat(child.parent()).isSameAs(listener);
            assertThat(child.isActive()).isTrue();
            assertThat(child.remoteAddress()).as("the client's address, from accept").isEqualTo(client.localAddress());
            assertThat(child.localAddress()).as("read when asked").isEqualTo(listener.localAddress());
            assertThat(client.remoteAddress()).isEqualTo(listener.localAddress());
            assertThat(((InetSocketAddress) client.localAddress()).getPort()).isNotZero();
            assertThat(child.id()).isNotEqualTo(client.id());
            assertThat(child.id().asShortText()).as("the process-wide counter, in hex").matches("[0-9a-f]+");
            assertThat(Long.parseLong(child.id().asShortText(), 16))
                    .isNotEqualTo(Long.parseLong(client.id().asShortText(), 16));

            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII)).syncUninterruptibly();
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("ping");
        } finally {
            client.close().syncUninterruptibly();
            listener.close().syncUninterruptibly();
        }
    }

    @Test
    void socketOptionsAreReadAndWrittenOnTheSocket() throws Exception {
        BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(4);
        Channel listener = echoListener(accepted, false, 0);
        Channel client = connect((InetSocketAddress) listener.localAddress(), new ArrayBlockingQueue<>(4));
        try {
            SocketChannel ch = (SocketChannel) client;
            assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as("Netty's default").isTrue();
            assertThat(ch.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isFalse();
            assertThat(ch.config().getOption(ChannelOption.SO_KEEPALIVE)).isFalse();
            assertThat(ch.config().<RecvByteBufAllocator>getRecvByteBufAllocator())
                    .isInstanceOf(LazyAdaptiveRecvAllocator.class);
            assertThat(ch.config().getMaxMessagesPerRead()).as("Netty's default for a stream channel").isEqualTo(16);

            assertThat(ch.config().setOption(ChannelOption.TCP_NODELAY, false)).isTrue();
            assertThat(ch.config().setOption(ChannelOption.SO_KEEPALIVE, true)).isTrue();
            assertThat(ch.config().setOption(ChannelOption.SO_LINGER, 3)).isTrue();
            assertThat(ch.config().setOption(ChannelOption.SO_RCVBUF, 64 * 1024)).isTrue();
            assertThat(ch.config().setOption(ChannelOption.SO_SNDBUF, 64 * 1024)).isTrue();
            assertThat(ch.config().setOption(ChannelOption.IP_TOS, 0x10)).isTrue();
            assertThat(ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true)).isTrue();

            assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).isFalse();
            assertThat(ch.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertThat(ch.config().getOption(ChannelOption.SO_LINGER)).isEqualTo(3);
            // Linux doubles the size asked for (socket(7)).
            assertThat(ch.config().getOption(ChannelOption.SO_RCVBUF)).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(ch.config().getOption(ChannelOption.SO_SNDBUF)).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(ch.config().getOption(ChannelOption.IP_TOS)).isEqualTo(0x10);
            assertThat(ch.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isTrue();
            assertThat(ch.config().getOptions()).containsKeys(ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE,
                    ChannelOption.SO_LINGER, ChannelOption.SO_RCVBUF, ChannelOption.SO_SNDBUF, ChannelOption.IP_TOS,
                    ChannelOption.SO_REUSEADDR, ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.AUTO_READ);

            // SO_LINGER on with a timeout: the close runs off the loop, as Netty's does, and completes.
            assertThat(client.close().await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(client.isOpen()).isFalse();
        } finally {
            client.close().syncUninterruptibly();
            listener.close().syncUninterruptibly();
        }
    }

    @Test
    void soReusePortLetsTwoListenersShareAPortAndIsRequiredToDoSo() throws Exception {
        BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(4);
        Channel first = echoListener(accepted, true, 0);
        int port = ((InetSocketAddress) first.localAddress()).getPort();
        try {
            assertThat(first.config().getOption(EpollChannelOption.SO_REUSEPORT)).isTrue();
            assertThat(first.config().getOption(ChannelOption.SO_REUSEADDR)).as("on by default").isTrue();
            Channel second = echoListener(accepted, true, port);
            assertThat(((InetSocketAddress) second.localAddress()).getPort()).isEqualTo(port);
            second.close().syncUninterruptibly();
            assertThatThrownBy(() -> echoListener(accepted, false, port))
                    .hasMessageContaining("Address already in use");
        } finally {
            first.close().syncUninterruptibly();
        }
    }

    /**
     * A registered, unconnected channel that reads as soon as it connects, counting its channelActive
     * events in {@code actives} and putting what it reads into {@code read}.
     */
    private static PortierSocketChannel registeredClient(java.util.concurrent.atomic.AtomicInteger actives,
                                                         BlockingQueue<String> read) {
        PortierSocketChannel ch = PortierSocketChannel.connecting(SocketProtocolFamily.INET);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                actives.incrementAndGet();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                read.add(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                ((ByteBuf) msg).release();
            }
        });
        loops.next().register(ch).syncUninterruptibly();
        return ch;
    }

    @Test
    void anUnconnectedSocketHasNoLocalAddressAndFailedConnectsCloseIt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        PortierSocketChannel ch = PortierSocketChannel.connecting(SocketProtocolFamily.INET);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
        loops.next().register(ch).syncUninterruptibly();
        assertThat(ch.localAddress()).isNull();
        ChannelFuture refused = ch.connect(new InetSocketAddress("127.0.0.1", closedPort)).awaitUninterruptibly();
        assertThat(refused.cause()).isInstanceOf(ConnectException.class).hasMessageContaining("Connection refused");
        ch.close().syncUninterruptibly();

        PortierSocketChannel unresolved = new PortierSocketChannel(SocketProtocolFamily.INET);
        loops.next().register(unresolved).syncUninterruptibly();
        ChannelFuture f = unresolved.connect(InetSocketAddress.createUnresolved("portier.invalid", 80))
                .awaitUninterruptibly();
        assertThat(f.cause()).isInstanceOf(UnresolvedAddressException.class);
        unresolved.close().syncUninterruptibly();
    }

    /**
     * The channel's own connect: a pending connect is uncancellable, times out with Netty's message
     * and closes the socket, and fails when the channel is closed under it; a completed one fires
     * channelActive once and reads at once (EPOLLIN asked for from the start).
     */
    @Test
    void aConnectCompletesTimesOutOrFailsOnCloseAndCannotBeCancelled() throws Exception {
        // A listener that never accepts, with its backlog full: further SYNs are dropped, so a
        // connect to it stays pending.
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.util.List<Socket> queued = new java.util.ArrayList<>();
            try {
                while (queued.size() < 16) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        queued.add(s);
                    } catch (java.net.SocketTimeoutException backlogFull) {
                        s.close();
                        break;
                    }
                }
                assumeTrue(queued.size() < 16, "this kernel does not drop SYNs to a full accept backlog");
                PortierSocketChannel timed = PortierSocketChannel.connecting(SocketProtocolFamily.INET);
                timed.config().setConnectTimeoutMillis(300);
                timed.pipeline().addLast(new ChannelInboundHandlerAdapter());
                loops.next().register(timed).syncUninterruptibly();
                // Connect on the loop, so that the cancel below comes after the connect started.
                ChannelFuture pending = timed.eventLoop().submit(() -> timed.connect(full.getLocalSocketAddress()))
                        .get(5, TimeUnit.SECONDS);
                assertThat(pending.cancel(false)).as("uncancellable once started").isFalse();
                pending.awaitUninterruptibly(5, TimeUnit.SECONDS);
                assertThat(pending.cause()).isInstanceOf(io.netty.channel.ConnectTimeoutException.class)
                        .hasMessage("connection timed out after 300 ms: " + full.getLocalSocketAddress());
                timed.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
                assertThat(timed.isOpen()).isFalse();

                PortierSocketChannel closed = PortierSocketChannel.connecting(SocketProtocolFamily.INET);
                closed.pipeline().addLast(new ChannelInboundHandlerAdapter());
                loops.next().register(closed).syncUninterruptibly();
                ChannelFuture cut = closed.connect(full.getLocalSocketAddress());
                closed.close().syncUninterruptibly();
                assertThat(cut.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
                assertThat(cut.cause()).isInstanceOf(java.nio.channels.ClosedChannelException.class);
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }

        BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(4);
        Channel listener = echoListener(accepted, false, 0);
        java.util.concurrent.atomic.AtomicInteger actives = new java.util.concurrent.atomic.AtomicInteger();
        BlockingQueue<String> read = new ArrayBlockingQueue<>(4);
        PortierSocketChannel ch = registeredClient(actives, read);
        try {
            ch.connect(listener.localAddress()).syncUninterruptibly();
            assertThat(ch.isActive()).isTrue();
            assertThat(ch.remoteAddress()).isEqualTo(listener.localAddress());
            Channel child = accepted.poll(5, TimeUnit.SECONDS);
            assertThat(child).isNotNull();
            child.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)).syncUninterruptibly();
            assertThat(read.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
            assertThat(actives).hasValue(1);
        } finally {
            ch.close().syncUninterruptibly();
            listener.close().syncUninterruptibly();
        }
    }

    /**
     * A connect to a loopback listener has usually completed inside the {@code connect} call (Linux
     * runs the whole handshake there), and the channel takes it as done at once: the future is
     * complete when {@code connect} returns on the loop, channelActive has fired, and the socket
     * reads and writes (it joined epoll without waiting for EPOLLOUT). A softirq deferred under load
     * can leave one connect pending, which then completes the usual way, so one of five connects made
     * at once is enough here.
     */
    @Test
    void aLoopbackConnectThatHasCompletedIsTakenAsDoneWithinTheCall() throws Exception {
        BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(8);
        Channel listener = echoListener(accepted, false, 0);
        try {
            int doneAtOnce = 0;
            for (int i = 0; i < 5; i++) {
                java.util.concurrent.atomic.AtomicInteger actives = new java.util.concurrent.atomic.AtomicInteger();
                BlockingQueue<String> read = new ArrayBlockingQueue<>(4);
                PortierSocketChannel ch = registeredClient(actives, read);
                try {
                    // On the loop, and looked at in the same task: no event can complete it meanwhile.
                    ChannelFuture[] f = new ChannelFuture[1];
                    boolean atOnce = ch.eventLoop().submit(() -> {
                        f[0] = ch.connect(listener.localAddress());
                        return f[0].isSuccess() && actives.get() == 1;
                    }).get(5, TimeUnit.SECONDS);
                    f[0].syncUninterruptibly();
                    if (atOnce) {
                        doneAtOnce++;
                    }
                    assertThat(ch.isActive()).isTrue();
                    assertThat(ch.remoteAddress()).isEqualTo(listener.localAddress());
                    ch.writeAndFlush(Unpooled.copiedBuffer("ping" + i, StandardCharsets.US_ASCII)).syncUninterruptibly();
                    assertThat(read.poll(5, TimeUnit.SECONDS)).isEqualTo("ping" + i);
                    assertThat(actives).hasValue(1);
                } finally {
                    ch.close().syncUninterruptibly();
                }
            }
            assertThat(doneAtOnce).as("connects complete within the call, of 5").isPositive();
        } finally {
            listener.close().syncUninterruptibly();
        }
    }

    /**
     * The peer half-closes; the channel reads its FIN, stays open, and 8 MiB written afterwards (far
     * more than the socket buffers take, so the write waits for EPOLLOUT) reach the peer whole.
     */
    @Test
    void afterThePeersHalfCloseTheChannelStillWritesEverything() throws Exception {
        int size = 8 << 20;
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Channel> inputEnded = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicInteger shutdownEvents = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger readCompleteEvents = new java.util.concurrent.atomic.AtomicInteger();
            Channel ch = new Bootstrap().group(loops).channel(PortierSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof ChannelInputShutdownEvent) {
                                shutdownEvents.incrementAndGet();
                                inputEnded.complete(ctx.channel());
                            } else if (evt instanceof io.netty.channel.socket.ChannelInputShutdownReadComplete) {
                                readCompleteEvents.incrementAndGet();
                            }
                        }
                    })
                    .connect(server.getLocalSocketAddress()).syncUninterruptibly().channel();
            try (Socket peer = server.accept()) {
                peer.shutdownOutput();
                Channel ended = inputEnded.get(5, TimeUnit.SECONDS);
                assertThat(ended.isOpen()).isTrue();
                // Ended without shutdown(SHUT_RD) (the FIN is read), yet as Netty reports a shut input.
                assertThat(((SocketChannel) ended).isInputShutdown()).isTrue();
                assertThat(((SocketChannel) ended).isShutdown()).isFalse();

                ChannelFuture written = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[size]));
                Thread.sleep(200); // the socket buffers fill up; the rest waits for EPOLLOUT
                long total = 0;
                byte[] buf = new byte[64 * 1024];
                InputStream in = peer.getInputStream();
                peer.setSoTimeout(10_000);
                while (total < size) {
                    int n = in.read(buf);
                    assertThat(n).as("bytes before the end, after %d", total).isPositive();
                    total += n;
                }
                assertThat(written.await(5, TimeUnit.SECONDS) && written.isSuccess()).isTrue();
                assertThat(shutdownEvents).as("input-shutdown events").hasValue(1);
                assertThat(readCompleteEvents).as("input-shutdown-read-complete events").hasValue(1);
                ch.close().syncUninterruptibly();
                assertThat(in.read()).as("end of stream after the close").isEqualTo(-1);
                assertThat(total).isEqualTo(size);
            } finally {
                ch.close().syncUninterruptibly();
            }
        }
    }
}
