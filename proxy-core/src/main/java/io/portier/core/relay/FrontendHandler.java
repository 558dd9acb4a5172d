package io.portier.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.PortierSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.portier.config.LimitsConfig;
import io.portier.config.ProxyProtocolConfig;
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
import io.portier.core.transport.Addresses;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
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
 * Once admitted, add the bandwidth shapers, pick a server and connect; what the client sends meanwhile
 * is held, up to {@link #EARLY_BYTES_MAX} (then reads pause until connected). A failed connect tries
 * another server up to {@code retries} times. Once connected, reads on either side
 * are written to the other and flushed once per read batch ({@link Sender}); when the other side stops being
 * writable the reading side stops reading until it drains (bounded memory). An end of stream on one
 * side shuts down the output of the other (half-close) while the other direction keeps flowing; the
 * connection ends when both directions have ended or either side closes. One access log line is
 * written when the frontend channel closes.
 *
 * <p>Size: this is the connection's state machine (admission, connect and retries, both directions,
 * half-close, end), and every step reads and writes the same loop-owned fields; what stands apart
 * (server picking, idle timing, PROXY headers, shaping) lives in classes of its own.
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
    private ServerPicker picker;
    /** Client to server and server to client; set once the backend is connected. */
    private Sender toBackend;
    private Sender toFrontend;
    /** A bandwidth shaper sits in the frontend's pipeline (it must see every write to the client). */
    private boolean shaped;
    /**
     * What the client sent before the backend connected, in order: its first read in
     * {@link #earlyFirst}, any further ones here. Reads stay on while connecting (a client's request
     * then comes with the connect's completion, not one epoll round and one {@code epoll_ctl} later)
     * until {@link #EARLY_BYTES_MAX} are held; then they pause until the backend is connected.
     */
    private ArrayDeque<Object> early;
    private Object earlyFirst;
    private int earlyBytes;
    private int attempts;

    private long acceptNanos;
    private long connectStartNanos;
    private long connectMillis = -1;
    private long bytesIn;
    private long bytesOut;
    private long unpublishedIn;
    private long unpublishedOut;
    /** Set once the backend is connected. */
    private IdleTimer idle;
    /** The admission this connection holds; released once, in {@link #finish()}. */
    private Permit permit;

    private boolean clientEof;
    private boolean serverEof;
    private EndReason end;
    private boolean finished;

    /**
     * Bytes of client data held while the backend connects before reads pause (the read that crosses
     * it is held whole): as much as one relayed read, and as the backend's write high-water mark.
     */
    static final int EARLY_BYTES_MAX = 64 * 1024;

    public FrontendHandler(ListenerPort port) {
        this.port = port;
        this.route = port.route();
        this.metrics = port.metrics();
    }

    /**
     * One instance per connection, never shared: said here, so that adding it to the pipeline does
     * not look the answer up (Netty's {@code isSharable} reads a per-thread class-to-flag cache).
     */
    @Override
    public boolean isSharable() {
        return false;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        frontend = ctx.channel();
        acceptNanos = System.nanoTime();
        client = clientOf(frontend);
        metrics.connectionOpened();
        port.live().add(frontend);
        if (route.listener().tcpKeepAlive()) {
            frontend.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        }
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
            // A held connection reads nothing until it is connected: only the kernel holds its bytes.
            frontend.config().setAutoRead(false);
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
        shaped = port.shaping().install(frontend.pipeline());
        connectNext();
    }

    private void connectNext() {
        if (picker == null) {
            picker = new ServerPicker(route.pool(), client.getAddress());
        }
        Server s = picker.next();
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
        connectStartNanos = System.nanoTime();
        ChannelFuture connecting;
        try {
            connecting = BackendConnector.connect(frontend.eventLoop(), port.transport(),
                    route.listener().timeouts().connect(), route.listener().tcpKeepAlive(),
                    new BackendHandler(this), s.socketAddress(port.port()));
        } catch (IOException | ChannelException e) {
            // Unknown host, or no socket (file descriptors): a failed connect like any other.
            connectFailed(s, e);
            return;
        }
        if (connecting.isDone()) {
            connected(connecting); // a loopback connect completes inside connect(2); no listener then
        } else {
            connecting.addListener(this::connected);
        }
    }

    private void connected(io.netty.util.concurrent.Future<? super Void> f) {
        Server s = attempted;
        Channel ch = ((ChannelFuture) f).channel();
        if (!f.isSuccess()) {
            // Closed as Bootstrap does (it never was active: BackendHandler sees no channelInactive);
            // one whose registration failed was closed by BackendConnector, and has no loop to close on.
            if (ch.isRegistered()) {
                ch.close();
            }
            connectFailed(s, f.cause());
            return;
        }
        toBackend = Sender.to(ch, false);
        toFrontend = Sender.to(frontend, shaped);
        HealthMonitor health = route.pool().health();
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
        idle = new IdleTimer(frontend.eventLoop(), route.listener().timeouts().idle(), this::idleTimeout);
        idle.start();
        ProxyProtocolConfig.Version send = route.listener().proxyProtocol().send();
        if (send != ProxyProtocolConfig.Version.OFF) {
            ProxyProtocol.writeHeader(backend, send, client, (InetSocketAddress) frontend.localAddress());
        }
        if (earlyFirst != null) {
            writeEarly(earlyFirst);
            earlyFirst = null;
            if (early != null) {
                for (Object msg; (msg = early.poll()) != null; ) {
                    writeEarly(msg);
                }
                early = null;
            }
            earlyBytes = 0;
            toBackend.flush();
        } else if (send != ProxyProtocolConfig.Version.OFF) {
            backend.flush();
        }
        if (!clientEof) {
            relayDirect();
            // Never re-arm reads on a half-closed input: epoll may have dropped the fd's interest
            // set, and epoll_ctl then fails with ENOENT.
            frontend.config().setAutoRead(true);
        }
        if (clientEof) {
            Relay.shutdownOutput(backend, false);
        } else if (frontend instanceof PortierSocketChannel client) {
            client.readNow(); // the client's first bytes, if in already: on to the server now
        }
    }

    /**
     * Held client data, as one read batch: a single small buffer (a request) goes out with one
     * {@code send(2)} past the pipeline ({@link Sender}), anything more the usual way, in order
     * behind a PROXY header queued before it.
     */
    private void writeEarly(Object msg) {
        int n = Relay.size(msg);
        bytesIn += n;
        unpublishedIn += n;
        toBackend.write(msg);
    }

    /**
     * Both directions' reads go straight to the other socket ({@link PortierSocketChannel#relayTo})
     * when nothing else must see the bytes: epoll on both sides, and no bandwidth shaper or PROXY
     * header decoder in either pipeline (each holds its relay handler alone); with the listener's
     * {@code splice = on}, a direction that streams then goes through a pipe. Otherwise, and for any
     * batch that finds writes queued on the other side, reads go through the pipeline
     * ({@link #channelRead}, {@link #fromServer}).
     */
    private void relayDirect() {
        if (frontend instanceof PortierSocketChannel f && backend instanceof PortierSocketChannel b
                && f.pipeline().first() == this && f.pipeline().last() == this
                && b.pipeline().first() instanceof BackendHandler && b.pipeline().last() instanceof BackendHandler
                && f.relayTo(b, this::relayedToServer, route.listener().splice())) {
            b.relayTo(f, this::relayedToClient, route.listener().splice());
        }
    }

    /** A read batch from the client went straight to the server. */
    private void relayedToServer(int bytes) {
        bytesIn += bytes;
        unpublishedIn += bytes;
        clientBatchEnded();
    }

    /** A read batch from the server went straight to the client. */
    private void relayedToClient(int bytes) {
        bytesOut += bytes;
        unpublishedOut += bytes;
        serverBatchEnded();
    }

    /** A connect to {@code s} failed: count it, then try the next server or give up. */
    private void connectFailed(Server s, Throwable cause) {
        if (server == s) {
            s.release();
        }
        if (serverMetrics != null) {
            serverMetrics.connectFailed();
        }
        HealthMonitor health = route.pool().health();
        if (health != null) {
            health.onConnectFailure(s, cause); // counts it on the server, may eject it
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
    }

    private InetSocketAddress clientAddress() {
        return client;
    }

    /** The client of {@code ch}: the one its accepted PROXY header named, or else its TCP peer. */
    private static InetSocketAddress clientOf(Channel ch) {
        InetSocketAddress proxied = Relay.attrOrNull(ch, Relay.CLIENT);
        return proxied != null ? proxied : (InetSocketAddress) ch.remoteAddress();
    }

    // ---- client to server ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (backend == null) {
            if (finished) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (earlyFirst == null) {
                earlyFirst = msg;
            } else {
                if (early == null) {
                    early = new ArrayDeque<>(4);
                }
                early.add(msg);
            }
            earlyBytes += Relay.size(msg);
            if (earlyBytes >= EARLY_BYTES_MAX) {
                // Until connected (where reads go back on): the client waits in its socket buffers.
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        int n = Relay.size(msg);
        bytesIn += n;
        unpublishedIn += n;
        toBackend.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backend != null) {
            toBackend.flush();
        }
        clientBatchEnded();
    }

    /**
     * A read batch from the client has been written to the server (through the pipeline or
     * directly): backpressure, the idle timer, the byte counter.
     */
    private void clientBatchEnded() {
        // Checked after the flush, not after each write: a read larger than the high-water mark
        // would otherwise stop and restart reading (two epoll_ctl) on every read.
        if (backend != null && !backend.isWritable()) {
            frontend.config().setAutoRead(false);
        }
        if (idle != null) {
            idle.touch();
        }
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
            if (serverEof) {
                closeIfBothEnded(); // both directions are done: a close says it all
            } else if (backend != null) {
                Relay.shutdownOutput(backend, false);
            }
            return; // this handler is the pipeline's last: nothing after it wants the event
        }
        ctx.fireUserEventTriggered(evt);
    }

    // ---- server to client (called by BackendHandler) ----

    void fromServer(Object msg) {
        int n = Relay.size(msg);
        bytesOut += n;
        unpublishedOut += n;
        toFrontend.write(msg);
    }

    void fromServerComplete() {
        toFrontend.flush();
        serverBatchEnded();
    }

    /** A read batch from the server has been written to the client: as {@link #clientBatchEnded}. */
    private void serverBatchEnded() {
        if (!frontend.isWritable()) {
            backend.config().setAutoRead(false);
        }
        if (idle != null) {
            idle.touch();
        }
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
        if (clientEof) {
            closeIfBothEnded(); // both directions are done: a close says it all
        } else {
            Relay.shutdownOutput(frontend, shaped);
        }
    }

    void backendClosed() {
        if (end == null) {
            end = EndReason.SERVER_CLOSED;
        }
        if (!finished) { // else the frontend's close is what closed the backend
            Relay.flushAndClose(frontend, shaped);
        }
    }

    void backendFailed(Throwable cause) {
        if (end == null) {
            end = cause instanceof IOException ? EndReason.SERVER_CLOSED : EndReason.ERROR;
        }
    }

    private void closeIfBothEnded() {
        if (clientEof && serverEof) {
            Relay.flushAndClose(frontend, shaped);
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
            client = clientOf(frontend);
            metrics.connectionOpened();
        }
        if (backend != null) {
            Relay.flushAndClose(backend, false);
        }
        finish();
    }

    private void idleTimeout() {
        if (!finished) {
            endWith(EndReason.IDLE_TIMEOUT);
            frontend.close();
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
        if (earlyFirst != null) {
            ReferenceCountUtil.release(earlyFirst);
            earlyFirst = null;
            if (early != null) {
                early.forEach(ReferenceCountUtil::release);
                early = null;
            }
        }
        if (idle != null) {
            idle.cancel();
        }
        if (toBackend != null) {
            toBackend.discard();
            toFrontend.discard();
        }
        String forced = Relay.attrOrNull(frontend, Relay.END_REASON);
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
        if (!port.accessLog().enabled()) {
            return;
        }
        port.accessLog().log(new AccessRecord(
                System.currentTimeMillis(),
                port.listener(),
                port.port(),
                Addresses.format(client),
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

    /** The backend connection, once connected (tests). */
    Channel backend() {
        return backend;
    }

    /** Bytes of client data held while the backend connects (tests). */
    int earlyBytes() {
        return earlyBytes;
    }

    /** The frontend connection, once active (tests). */
    Channel frontend() {
        return frontend;
    }

    /** The client: the TCP peer, or the one an accepted PROXY header named; null before activation. */
    public InetSocketAddress client() {
        return client;
    }

    public Server server() {
        return attempted;
    }
}
