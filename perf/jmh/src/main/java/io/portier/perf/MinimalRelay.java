package io.portier.perf;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

import java.net.InetSocketAddress;

/**
 * A minimal TCP relay built the usual way on Netty's stock epoll channels ({@code ServerBootstrap},
 * a {@code ChannelInitializer}, {@code Bootstrap}), for {@code perf/interleaved.sh}'s
 * {@code netty-relay} candidate: what any proxy built the usual way on Netty pays per connection,
 * with nothing of a product (no admission, balancing, metrics, timeouts, health checks or logs).
 * Beside Portier it shows how much of Portier's CPU per connection is Netty's channel model and the
 * JVM rather than Portier's own work.
 *
 * <p>One event loop; the server connection on the client's loop; reads on both sides at once,
 * written as they come and flushed once per read batch; a half-close passed on once what is queued
 * has gone, and both closed when both directions have ended or one side closes; backpressure by
 * turning the other side's reads off while a side is not writable.
 *
 * <p>Usage: {@code java -cp perf/jmh/target/benchmarks.jar io.portier.perf.MinimalRelay LISTEN_PORT
 * BACKEND_PORT} (both on 127.0.0.1). Not a test double or a product: a yardstick.
 */
public final class MinimalRelay {
    private MinimalRelay() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: MinimalRelay LISTEN_PORT BACKEND_PORT");
            System.exit(2);
        }
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(loop)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Side(backend));
                    }
                })
                .bind(listen).sync().channel();
        System.out.println("netty-relay listening on " + listen + ", relaying to " + backend);
        server.closeFuture().sync();
    }

    /** One side of a relayed connection: reads from its channel, writes to {@link #peer}. */
    private static final class Side extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;
        private Channel self;
        private Channel peer;
        private Side peerSide;
        private boolean inputEnded;

        /** The client's side, which connects to {@code backend} once active. */
        Side(InetSocketAddress backend) {
            this.backend = backend;
        }

        /** The server's side, paired with the client's. */
        private Side(Side client) {
            this.backend = null;
            this.peer = client.self;
            this.peerSide = client;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            self = ctx.channel();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (backend == null) {
                return; // the server's side: its pairing is made by the client's connect
            }
            Channel client = ctx.channel();
            Side serverSide = new Side(this);
            new Bootstrap()
                    .group(client.eventLoop())
                    .channel(EpollSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(serverSide)
                    .connect(backend)
                    .addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            client.close();
                            return;
                        }
                        peer = f.channel();
                        peerSide = serverSide;
                        client.config().setAutoRead(true);
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (peer != null) {
                peer.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (peer != null) {
                peer.config().setAutoRead(ctx.channel().isWritable());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt != ChannelInputShutdownEvent.INSTANCE) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            inputEnded = true;
            if (peerSide != null && peerSide.inputEnded) {
                closeBoth();
            } else if (peer instanceof DuplexChannel duplex) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null && peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void closeBoth() {
            self.close();
            peer.close();
        }
    }
}
