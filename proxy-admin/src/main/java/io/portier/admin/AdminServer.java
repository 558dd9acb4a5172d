package io.portier.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.portier.config.AdminConfig;
import io.portier.config.HostPort;
import io.portier.core.Portier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP server: the API, {@code /metrics} and the dashboard, on {@code admin.bind}.
 *
 * <p>It runs on its own one-thread NIO event loop, apart from the relay's loops: a slow scrape or a
 * misbehaving admin client never delays traffic. Reloads run on one more thread of their own.
 *
 * <p>At most {@link #MAX_CONNECTIONS} connections are open at once. Pipeline, in order: {@code timeout} (closes a connection silent for {@link #IDLE_SECONDS}),
 * {@code http} (codec; request line and headers bounded), {@code aggregate} (body bounded to
 * {@link #MAX_BODY_BYTES}, 413 beyond), {@code admin} ({@link AdminHandler}).
 *
 * <p>{@link #close()} closes every open admin connection itself before it stops the loop: Netty's
 * loop shutdown does not reliably do it (see {@link #close()}), and a connection it skips keeps
 * the read buffer holding its half-read request until the garbage collector finds it.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    static final int MAX_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int IDLE_SECONDS = 60;
    /** Concurrent admin connections; more are closed at once (a dashboard needs a handful). */
    static final int MAX_CONNECTIONS = 256;

    private final EventLoopGroup loop;
    private final ExecutorService reloads;
    private final Channel channel;
    /** Every open admin connection; a connection leaves it when it closes. */
    private final ChannelGroup connections;
    private final AutoCloseable processMetrics;

    private AdminServer(EventLoopGroup loop, ExecutorService reloads, Channel channel, ChannelGroup connections,
                        AutoCloseable processMetrics) {
        this.loop = loop;
        this.reloads = reloads;
        this.channel = channel;
        this.connections = connections;
        this.processMetrics = processMetrics;
    }

    /**
     * Binds {@code admin.bind} and serves until {@link #close()}. Adds the JVM and Netty allocator
     * meters to {@code registry} ({@link AdminMetrics#bindJvmAndNetty}).
     *
     * @param registry the registry the core registers its meters in; scraped by {@code /metrics}
     * @param reload   what {@code POST /api/v1/reload} calls, or null: then it answers 503
     * @throws IllegalStateException when the address cannot be bound (the message names it and why)
     */
    public static AdminServer start(Portier portier, AdminConfig admin, PrometheusMeterRegistry registry,
                                    ReloadHandler reload) {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("portier-admin", true), NioIoHandler.newFactory());
        ExecutorService reloads = Executors.newSingleThreadExecutor(new DefaultThreadFactory("portier-reload", true));
        Router router = new AdminApi(portier, registry, reload, reloads).routes();
        BearerAuth auth = BearerAuth.of(admin.token());
        ChannelGroup connections = new DefaultChannelGroup("portier-admin", loop.next());
        ServerBootstrap b = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    /** Every child runs on the one admin loop, like this. */
                    private long refused;
                    private long lastWarnNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);

                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int open = connections.size();
                        if (open >= MAX_CONNECTIONS) {
                            refused++;
                            ch.close();
                            long now = System.nanoTime();
                            if (now - lastWarnNanos >= TimeUnit.SECONDS.toNanos(1)) {
                                lastWarnNanos = now;
                                LOG.warn("admin: {} connections open (the limit); {} refused so far", open, refused);
                            }
                            return;
                        }
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("timeout", new ReadTimeoutHandler(IDLE_SECONDS))
                                .addLast("http", new HttpServerCodec(MAX_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                                .addLast("aggregate", new BoundedAggregator())
                                .addLast("admin", new AdminHandler(router, auth));
                    }
                });
        InetSocketAddress address = new InetSocketAddress(admin.bind().host(), admin.bind().port());
        try {
            Channel ch = b.bind(address).syncUninterruptibly().channel();
            HostPort bound = new HostPort(admin.bind().host(), ((InetSocketAddress) ch.localAddress()).getPort());
            LOG.info("admin API and dashboard on http://{}/{}", bound,
                    admin.token().isPresent() ? " (bearer token required)" : "");
            return new AdminServer(loop, reloads, ch, connections, AdminMetrics.bindJvmAndNetty(registry));
        } catch (Exception e) { // a BindException arrives unchecked from syncUninterruptibly
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            reloads.shutdownNow();
            throw new IllegalStateException("admin: cannot bind " + admin.bind() + ": " + e.getMessage(), e);
        }
    }

    /** The port actually bound (admin.bind with port 0 resolved). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Stops listening, closes admin connections and stops the admin threads; waits for that.
     *
     * <p>The connections are closed here, not left to the loop's shutdown: Netty 4.2 closes the
     * channels still registered only when the loop sees the shutdown right after a select; when the
     * shutdown starts while the loop runs tasks (as it does just after the listening socket closed),
     * a zero quiet period ends the loop at once and the selector is closed under open channels. Their
     * pipelines then never see channelInactive, so the codec never releases a half-read request.
     * Closed here, each connection's channelInactive runs before the loop ends: the loop still runs
     * the tasks its closes queue while it shuts down.
     */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        reloads.shutdownNow();
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            processMetrics.close();
        } catch (Exception e) {
            LOG.debug("closing the GC metrics failed", e);
        }
    }

    /**
     * Answers an oversized body with the API's JSON 413 instead of Netty's empty one. As Netty does, a
     * keep-alive request keeps its connection (the aggregator discards the rest of the body), so the
     * client reads the answer instead of a reset; otherwise the connection closes after the answer.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        BoundedAggregator() {
            super(MAX_BODY_BYTES);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            boolean keepAlive = !(oversized instanceof FullHttpMessage) && HttpUtil.isKeepAlive(oversized);
            AdminHandler.write(ctx, AdminResponse.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "body: too large (expected: at most " + MAX_BODY_BYTES + " bytes)", List.of()), keepAlive);
        }
    }
}
