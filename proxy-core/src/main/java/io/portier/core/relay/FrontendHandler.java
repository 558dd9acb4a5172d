package io.portier.core.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.portier.config.LimitsConfig;
import io.portier.config.ProxyProtocolConfig;
import io.portier.config.ServerConfig;
import io.portier.core.health.HealthMonitor;
import io.portier.core.limit.Admission;
import io.portier.core.limit.Permit;
import io.portier.core.limit.Verdict;
import io.portier.core.listener.ListenerPort;
import io.portier.core.log.AccessRecord;
import io.portier.core.log.EndReason;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.metrics.ServerMetrics;
import io.portier.core.pool.Server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The frontend side of one relayed connection, and the owner of its lifetime.
 *
 * <p>Thread: one instance per frontend connection; every method runs on that connection's event
 * loop. The backend is connected on the same loop, so {@link BackendHandler} calls into this class
 * directly and no field needs to be volatile.
 *
 * <p>Flow: on accept, ask the port's {@link Admission}; a refused connection is counted and closed
 * as {@code on-limit} says (FIN, or RST), or with {@code pause} held until a slot or token frees.
 * Once admitted, add the bandwidth shapers, pick a server and connect (frontend reads are off until then); a failed
 * connect tries another server up to {@code retries} times. Once connected, reads on either side
 * are written to the other and flushed once per read batch; when the other side stops being
 * writable the reading side stops reading until it drains (bounded memory). An end of stream on one
 * side shuts down the output of the other (half-close) while the other direction keeps flowing; the
 * connection ends when both directions have ended or either side closes. One access log line is
 * written when the frontend channel closes.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private final ListenerPort port;
    private final ListenerPort.Route route;
    private final PortMetrics metrics;

    private Channel frontend;
    /** The client: the TCP peer, or the one an accepted PROXY header named. */
    private InetSocketAddress client;
    private Channel backend;
    /** The server whose connection slot this connection holds (connecting or connected), or null. */
    private Server server;
    /** The last server a connect was attempted to, for the access log. */
    private Server attempted;
    private ServerMetrics serverMetrics;
    private Server[] tried;
    /**
     * Bytes read from the client before the backend connected. Reads are off until then, but epoll
     * still reads once when the client half-closes early (RDHUP), so this holds at most one read batch.
     */
    private java.util.ArrayDeque<Object> early;
    private int attempts;

    private long acceptNanos;
    private long connectStartNanos;
    private long connectMillis = -1;
    private long bytesIn;
    private long bytesOut;
    private long unpublishedIn;
    private long unpublishedOut;
    private long lastActivityNanos;
    private ScheduledFuture<?> idleTimer;
    /** The admission this connection holds; released once, in {@link #finish()}. */
    private Permit permit;

    private boolean clientEof;
    private boolean serverEof;
    private EndReason end;
    private boolean finished;

    public FrontendHandler(ListenerPort port) {
        this.port = port;
        this.route = port.route();
        this.metrics = port.metrics();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        frontend = ctx.channel();
        acceptNanos = System.nanoTime();
        lastActivityNanos = acceptNanos;
        InetSocketAddress proxied = frontend.attr(Relay.CLIENT).get();
        client = proxied != null ? proxied : (InetSocketAddress) frontend.remoteAddress();
        metrics.connectionOpened();
        port.live().add(frontend);
        if (port.draining()) {
            metrics.rejected(PortMetrics.Rejection.DRAINING);
            endWith(EndReason.SHUTDOWN);
            frontend.close();
            return;
        }
        Admission admission = port.admission();
        InetAddress source = client.getAddress();
        Permit p = admission.admit(source);
        if (!p.admitted() && p.verdict().portWide() && admission.limits().onLimit() == LimitsConfig.OnLimit.PAUSE) {
            port.acceptPause().hold(frontend, source, p.verdict(), this::admittedLater);
            return;
        }
        proceed(p, admission.limits().onLimit());
    }

    /** A held connection's turn came ({@code on-limit = pause}); on this connection's loop. */
    private void admittedLater(Permit p) {
        if (finished) {
            p.release();
            return;
        }
        proceed(p, LimitsConfig.OnLimit.CLOSE);
    }

    /** Connects an admitted connection; rejects a refused one as {@code onLimit} says. */
    private void proceed(Permit p, LimitsConfig.OnLimit onLimit) {
        if (!p.admitted()) {
            Verdict v = p.verdict();
            metrics.rejected(v.rejection());
            port.rejections().rejected(port.port(), v);
            endWith(v.endReason());
            if (onLimit == LimitsConfig.OnLimit.RESET) {
                frontend.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            frontend.close();
            return;
        }
        permit = p;
        port.shaping().install(frontend.pipeline());
        connectNext();
    }

    private void connectNext() {
        Server s = route.pool().select(clientAddress().getAddress(), this::notTried);
        while (s != null && !s.tryAcquire()) {
            remember(s);
            s = route.pool().select(clientAddress().getAddress(), this::notTried);
        }
        if (s == null) {
            if (attempts == 0) {
                metrics.rejected(PortMetrics.Rejection.NO_SERVER);
                endWith(EndReason.NO_SERVER);
            } else {
                endWith(EndReason.CONNECT_FAILED);
            }
            frontend.close();
            return;
        }
        attempts++;
        server = s;
        attempted = s;
        serverMetrics = route.pool().metrics(s);
        remember(s);
        connectStartNanos = System.nanoTime();
        Bootstrap b = new Bootstrap()
                .group(frontend.eventLoop())
                .channel(port.transport().channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, route.listener().timeouts().connect().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new BackendHandler(this));
        b.connect(serverAddress(s)).addListener(this::connected);
    }

    private void connected(io.netty.util.concurrent.Future<? super Void> f) {
        Channel ch = ((ChannelFuture) f).channel();
        Server s = attempted;
        boolean held = server == s;
        HealthMonitor health = route.pool().health();
        if (!f.isSuccess()) {
            if (held) {
                s.release();
            }
            if (serverMetrics != null) {
                serverMetrics.connectFailed();
            }
            if (health != null) {
                health.onConnectFailure(s, f.cause()); // counts it on the server, may eject it
            } else {
                s.onConnectFailure();
            }
            server = null;
            if (finished || !frontend.isActive()) {
                return;
            }
            if (attempts <= route.pool().config().retries()) {
                connectNext();
            } else {
                endWith(EndReason.CONNECT_FAILED);
                frontend.close();
            }
            return;
        }
        if (health != null) {
            health.onConnectSuccess(s);
        } else {
            s.onConnectSuccess();
        }
        long connectNanos = System.nanoTime() - connectStartNanos;
        connectMillis = TimeUnit.NANOSECONDS.toMillis(connectNanos);
        if (serverMetrics != null) {
            serverMetrics.connected(connectNanos);
        }
        backend = ch;
        if (finished) {
            ch.close();
            return;
        }
        s.connections().add(frontend);
        startIdleTimer();
        ProxyProtocolConfig.Version send = route.listener().proxyProtocol().send();
        if (send != ProxyProtocolConfig.Version.OFF) {
            ProxyProtocol.writeHeader(backend, send, client, (InetSocketAddress) frontend.localAddress());
        }
        if (early != null) {
            for (Object msg; (msg = early.poll()) != null; ) {
                int n = Relay.size(msg);
                bytesIn += n;
                unpublishedIn += n;
                backend.write(msg, backend.voidPromise());
            }
            early = null;
            backend.flush();
        }
        backend.config().setAutoRead(true);
        if (!clientEof) {
            // Never re-arm reads on a half-closed input: epoll may have dropped the fd's interest
            // set, and epoll_ctl then fails with ENOENT.
            frontend.config().setAutoRead(true);
        }
        if (clientEof) {
            Relay.shutdownOutput(backend);
        }
    }

    private boolean notTried(Server s) {
        if (tried != null) {
            for (Server t : tried) {
                if (t == s) {
                    return false;
                }
            }
        }
        return true;
    }

    private void remember(Server s) {
        if (tried == null) {
            tried = new Server[] {s};
        } else {
            Server[] grown = java.util.Arrays.copyOf(tried, tried.length + 1);
            grown[tried.length] = s;
            tried = grown;
        }
    }

    private InetSocketAddress serverAddress(Server s) {
        ServerConfig c = s.config();
        int p = c.port() == ServerConfig.SAME_PORT ? port.port() : c.port();
        return InetSocketAddress.createUnresolved(c.host(), p);
    }

    private InetSocketAddress clientAddress() {
        return client;
    }

    // ---- client to server ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (backend == null) {
            if (finished) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (early == null) {
                early = new java.util.ArrayDeque<>(4);
            }
            early.add(msg);
            return;
        }
        int n = Relay.size(msg);
        bytesIn += n;
        unpublishedIn += n;
        backend.write(msg, backend.voidPromise());
        if (!backend.isWritable()) {
            frontend.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backend != null) {
            backend.flush();
        }
        lastActivityNanos = System.nanoTime();
        if (unpublishedIn != 0) {
            metrics.bytesIn(unpublishedIn);
            unpublishedIn = 0;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (backend != null && !serverEof && frontend.isWritable()) {
            backend.config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            clientEof = true;
            if (end == null && !serverEof) {
                end = EndReason.CLIENT_CLOSED;
            }
            if (backend != null) {
                Relay.shutdownOutput(backend);
            }
            closeIfBothEnded();
        }
        ctx.fireUserEventTriggered(evt);
    }

    // ---- server to client (called by BackendHandler) ----

    void fromServer(Object msg) {
        int n = Relay.size(msg);
        bytesOut += n;
        unpublishedOut += n;
        frontend.write(msg, frontend.voidPromise());
        if (!frontend.isWritable()) {
            backend.config().setAutoRead(false);
        }
    }

    void fromServerComplete() {
        frontend.flush();
        lastActivityNanos = System.nanoTime();
        if (unpublishedOut != 0) {
            metrics.bytesOut(unpublishedOut);
            unpublishedOut = 0;
        }
    }

    void backendWritabilityChanged(boolean writable) {
        if (writable && !clientEof) {
            frontend.config().setAutoRead(true);
        }
    }

    void serverEof() {
        serverEof = true;
        if (end == null && !clientEof) {
            end = EndReason.SERVER_CLOSED;
        }
        Relay.shutdownOutput(frontend);
        closeIfBothEnded();
    }

    void backendClosed() {
        if (end == null) {
            end = EndReason.SERVER_CLOSED;
        }
        Relay.flushAndClose(frontend);
    }

    void backendFailed(Throwable cause) {
        if (end == null) {
            end = cause instanceof IOException ? EndReason.SERVER_CLOSED : EndReason.ERROR;
        }
    }

    private void closeIfBothEnded() {
        if (clientEof && serverEof) {
            Relay.flushAndClose(frontend);
        }
    }

    // ---- lifetime ----

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (end == null) {
            end = cause instanceof IOException ? EndReason.CLIENT_CLOSED : EndReason.ERROR;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (frontend == null) {
            // Closed before the relay started (no valid PROXY header): still one access-log line.
            frontend = ctx.channel();
            acceptNanos = System.nanoTime();
            InetSocketAddress proxied = frontend.attr(Relay.CLIENT).get();
            client = proxied != null ? proxied : (InetSocketAddress) frontend.remoteAddress();
            metrics.connectionOpened();
        }
        if (backend != null) {
            Relay.flushAndClose(backend);
        }
        finish();
    }

    private void startIdleTimer() {
        long idle = route.listener().timeouts().idle().toNanos();
        if (idle > 0) {
            idleTimer = frontend.eventLoop().schedule(this::checkIdle, idle, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        if (finished) {
            return;
        }
        long idle = route.listener().timeouts().idle().toNanos();
        long quiet = System.nanoTime() - lastActivityNanos;
        if (quiet >= idle) {
            endWith(EndReason.IDLE_TIMEOUT);
            frontend.close();
        } else {
            idleTimer = frontend.eventLoop().schedule(this::checkIdle, idle - quiet, TimeUnit.NANOSECONDS);
        }
    }

    private void endWith(EndReason reason) {
        if (end == null) {
            end = reason;
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        String forced = frontend.attr(Relay.END_REASON).get();
        if (forced != null) {
            end = EndReason.fromText(forced);
        }
        if (server != null) {
            server.connections().remove(frontend);
            server.release();
            server = null;
        }
        if (permit != null) {
            permit.release();
            permit = null;
            port.acceptPause().slotFreed();
        }
        if (unpublishedIn != 0) {
            metrics.bytesIn(unpublishedIn);
        }
        if (unpublishedOut != 0) {
            metrics.bytesOut(unpublishedOut);
        }
        metrics.connectionClosed();
        port.live().remove(frontend);
        InetSocketAddress client = clientAddress();
        String serverName = attempted == null ? null : attempted.name();
        port.accessLog().log(new AccessRecord(
                System.currentTimeMillis(),
                port.listener(),
                port.port(),
                formatClient(client),
                route.pool().name(),
                serverName,
                connectMillis,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acceptNanos),
                bytesIn,
                bytesOut,
                end == null ? EndReason.CLIENT_CLOSED : end));
    }

    // ---- read-only views for the admin API (any thread; plain reads of loop-owned fields, so a
    //      value may lag the event loop by a read batch) ----

    /** {@link System#nanoTime()} when the connection was accepted; 0 before it became active. */
    public long acceptNanos() {
        return acceptNanos;
    }

    /** Bytes read from the client so far. */
    public long bytesIn() {
        return bytesIn;
    }

    /** Bytes written to the client so far. */
    public long bytesOut() {
        return bytesOut;
    }

    /** The server this connection is connecting or connected to, or the last one tried; may be null. */
    public Server server() {
        return attempted;
    }

    private static String formatClient(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }
}
