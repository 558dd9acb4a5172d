package io.netty.channel.epoll;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portier.core.transport.LoopTimeouts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.netty.channel.internal.ChannelUtils.WRITE_STATUS_SNDBUF_FULL;

/**
 * Portier's epoll TCP connection: Netty's stream channel (its writes, half-closure and, unless
 * relaying as below, its read loop are used as they are; the connect is Netty's with less), with
 * what Netty's final {@code EpollSocketChannel} does per connection and a proxy does not need taken
 * out. It lives in Netty's package because the parts it builds on are package-private there. Each
 * change in this list saves syscalls or per-connection work without changing what the connection
 * does, but the one marked a fix and the connect promise, which cannot be cancelled once started:
 *
 * <ul>
 *   <li><b>Addresses when asked.</b> The peer's address comes from {@code accept} (for a client) or
 *       is the address connected to (for a server); the local one is read ({@code getsockname}) the
 *       first time something asks for it, not when the channel is built and again after connect.
 *       Netty's channel pays one to two {@code getsockname} per connection that only the PROXY
 *       protocol header and the access log ever read.</li>
 *   <li><b>Ids</b> from a process-wide counter ({@link SequentialId}), not Netty's clock-and-random
 *       ones.</li>
 *   <li><b>No {@code EPOLL_CTL_DEL} at close</b>: see {@link #doDeregister}.</li>
 *   <li><b>Options</b>: see {@link PortierSocketChannelConfig} (no {@code getsockopt} of SO_SNDBUF
 *       at construction, nor of SO_LINGER at close).</li>
 *   <li><b>Stays in epoll until closed</b> (a correctness fix, not a saving). When a half-closable
 *       channel's input ends at a moment it waits for nothing else, Netty 4.2.18 clears its last
 *       interest bits and removes the socket from epoll ({@code EPOLL_CTL_DEL}) while its
 *       registration still counts as added; the next write the socket cannot take at once asks for
 *       EPOLLOUT with {@code EPOLL_CTL_MOD}, which fails with ENOENT, and Netty closes the channel with
 *       the queued bytes unsent: the other direction of a half-closed connection loses its tail.
 *       Every channel here asks for EPOLLERR as well, so its interest set is never empty. That
 *       changes no event: epoll reports EPOLLERR and EPOLLHUP whether asked for or not.</li>
 *   <li><b>Edge-triggered epoll</b> ({@code EPOLLET}, as HAProxy and nginx use it). A socket is
 *       reported when something changes on it, not for as long as it is readable, so the interest set
 *       need not change when its state does: when the peer's FIN is read nothing is dropped (Netty,
 *       level-triggered, drops EPOLLRDHUP at once and EPOLLIN after one more wake-up for the end of
 *       stream, two {@code EPOLL_CTL_MOD} and an idle {@code epoll_wait} round per direction). A read
 *       batch that stops with bytes perhaps left (at its read limit) queues the next batch on the loop
 *       itself, where the level-triggered loop would have been told again
 *       ({@link PortierUnsafe#readOnIfMore}); reads paused for backpressure drop EPOLLIN as before,
 *       and the MOD that resumes them reports a socket that is readable already.</li>
 *   <li><b>No {@code shutdown(SHUT_RD)} at end of input.</b> On a half-closable channel the input is
 *       marked ended when the peer's FIN is read ({@link #isInputShutdown} says so, the same events
 *       fire) instead of shut down in the kernel, where the FIN has already ended it.</li>
 *   <li><b>A relayed end of stream: the last bytes and the FIN in one segment, and no read of 0.</b>
 *       When epoll reports the peer's FIN before the read that brings its last bytes, those bytes are
 *       sent to the other side with TCP_CORK on, and the FIN that follows them leaves in the same
 *       segment (HAProxy's {@code MSG_MORE}); the short read is known to be the last, so no
 *       {@code recv} is made to see 0 (as HAProxy). EPOLLPRI is asked for to learn of urgent data, the
 *       one other thing that cuts a read short (see {@link PortierUnsafe#relayIn}).</li>
 *   <li><b>No {@code getsockopt(SO_ERROR)}</b> when a connect completes with EPOLLOUT alone: on Linux
 *       that means connected (a failed connect always brings EPOLLERR, which is still checked).</li>
 *   <li><b>Connect</b> ({@link #connecting}): EPOLLIN is asked for in the first
 *       {@code EPOLL_CTL_ADD}, for a connection that reads as soon as it is connected; Netty adds it
 *       with one more MOD once the connect completes. No read can come sooner. When the connect
 *       completes, one MOD drops EPOLLOUT; Netty's adds a {@code getpeername} and a second MOD that
 *       writes the same interest set again. The connect timeout waits on the loop's list of
 *       timeouts of its length ({@link LoopTimeouts}), not in Netty's scheduled-task heap. A connect
 *       to a loopback address has usually completed by the time {@code connect} returns EINPROGRESS:
 *       one {@code getpeername} tells, and the socket joins epoll connected, without EPOLLOUT, its
 *       MOD, its event or a timeout ({@link #connectedAlready}).</li>
 *   <li><b>A read without waiting for epoll</b> ({@link #readNow}): once a client's connection to its
 *       server is made, the proxy reads the client at once (HAProxy's speculative read), so the bytes
 *       it sent while the connect was under way reach the server straight after the handshake.</li>
 * </ul>
 *
 * <p><b>Relaying reads straight to a peer</b> ({@link #relayTo}): once a proxy has paired two such
 * connections, a read batch is received into one buffer per event loop and sent at once to the
 * peer's socket, instead of going through a pooled buffer taken per read and the pipeline
 * ({@code channelRead}, {@code channelReadComplete}, the re-arming {@code read()}), which is most of
 * the Java a relayed request costs. It is the pipeline's path with the same syscalls (one
 * {@code recv}, one {@code send}), in the same order, with the same backpressure:
 * <ul>
 *   <li>a batch starts this way only when nothing waits to be written on the peer; otherwise it takes
 *       the pipeline, whose buffers are queued on the peer without a copy;</li>
 *   <li>what the peer's socket does not take is copied into a pooled buffer, queued on the peer as a
 *       normal write (so writability and the high-water mark work as before), and ends the batch; a
 *       send that fails leaves the bytes to that normal write, which meets the same error and ends the
 *       peer its usual way;</li>
 *   <li>the end of stream and read errors are handled as Netty's read loop handles them (a half-close
 *       by {@code shutdownInput}, an error through {@code exceptionCaught});</li>
 *   <li>after each batch the {@link Relayed} callback is told the bytes (for counters, the idle
 *       timer and backpressure), in place of {@code channelReadComplete}.</li>
 * </ul>
 * A proxy turns it on only for connections with no other handler that must see the bytes
 * (bandwidth shaping, a PROXY protocol decoder).
 *
 * <p><b>Splicing a stream</b> (when {@link #relayTo} allows it): once a relayed read fills the
 * buffer, that direction's later batches move the bytes with {@code splice(2)} from the socket into
 * a pipe of its own and from the pipe into the peer's socket, never into the process. What the peer
 * does not take stays in the pipe and is queued on the peer as a write ({@link Splice}), so
 * {@link #idleForRelay}, ordering and write errors work as for a queued buffer; this side's reads
 * pause until it has gone. The pipe lives as long as the connection (closed with it, or once the
 * peer is done with its queued write). Urgent data keeps a direction on buffers.
 *
 * <p>What stays from Netty per connection: {@code getsockname} in the socket's constructor (to learn
 * its family), inside Netty's final code. TCP fast open and TCP_MD5SIG are not offered (Portier uses
 * neither).
 *
 * <p>Thread: as any Netty channel, owned by its event loop once registered.
 */
public final class PortierSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private final PortierSocketChannelConfig config;
    private final ServerSocketChannel parent;
    private volatile InetSocketAddress remote;
    private volatile InetSocketAddress local;
    /** Where reads are relayed straight to (see {@link #relayTo}); null: through the pipeline. Loop only. */
    private PortierSocketChannel relayPeer;
    private Relayed relayed;
    /**
     * This loop's {@link #RELAY_BUFFER}, kept from {@link #relayTo} so a read batch does not look it
     * up: a channel never changes thread (see {@code Transport}).
     */
    private ByteBuf relayBuffer;
    /** The connect in progress (see {@link PortierUnsafe#connect}), or null. Loop only. */
    private ChannelPromise connectPromise;
    /** The connect's timeout, made at the first connect with a timeout. Loop only. */
    private ConnectTimeout connectTimeout;
    /**
     * The peer's end of stream has been read on a half-closable channel: the input is over, as if
     * shut down, without the {@code shutdown(SHUT_RD)} Netty makes for it (see
     * {@link PortierUnsafe#shutdownInput}). Loop only.
     */
    private boolean inputEnded;
    /**
     * The last read batch ended with bytes perhaps still in the socket (a full read, or the end of
     * stream known to be waiting): with edge-triggered epoll no event will say so again, so another
     * batch is queued on the loop ({@link PortierUnsafe#readOnIfMore}). Loop only.
     */
    private boolean moreToRead;
    /** In a read batch ({@code epollInReady}): see {@link #readNow}. Loop only. */
    private boolean reading;
    /** {@link #readOn} is queued on the loop. Loop only. */
    private boolean readOnQueued;
    /** Made the first time a batch leaves bytes behind; most connections never need it. */
    private Runnable readOn;
    /** In {@link #doClose}, on the event loop: see {@link #doDeregister}. */
    private boolean closing;
    /**
     * epoll has reported the peer's FIN (EPOLLRDHUP without EPOLLERR) on a relayed channel: every
     * byte the peer sent is in the socket's receive queue now, so a read that returns less than it
     * asked for has reached the end of stream (see {@link PortierUnsafe#relayIn}). Loop only.
     */
    private boolean peerFinQueued;
    /**
     * The peer has sent TCP urgent data (epoll said EPOLLPRI): a read stops short at its mark, so a
     * short read no longer means the end even after the FIN, and {@link #peerFinQueued} stays false
     * for good. EPOLLPRI is asked for until then. Loop only.
     */
    private boolean urgentSeen;
    /** TCP_CORK is on: the relay's last bytes wait in the kernel to leave with the FIN. Loop only. */
    private boolean corkedForEnd;
    /** {@link #relayTo} allowed this direction to splice once it streams. Loop only. */
    private boolean spliceAllowed;
    /**
     * A relayed read filled the buffer: this direction streams, and its later batches go through a
     * pipe ({@link #spliceIn}). Loop only.
     */
    private boolean streaming;
    /** The pipe this direction splices through, made at its first spliced batch; null before. Loop only. */
    private Splice splice;

    /** {@code EPOLLHUP} (Linux's value, the same on every architecture); Netty names no constant for it. */
    private static final int EPOLLHUP = 0x010;
    /** {@code EPOLLPRI}, urgent data to read (Linux's value on every architecture); no Netty constant either. */
    private static final int EPOLLPRI = 0x002;
    /**
     * Bytes one relayed read may bring: the size of the per-loop receive buffer. 32 KiB, not 64: on
     * the perf kit's bulk workload (Intel Xeon VM, 2026-12-03) a 64 KiB buffer relayed 9.4 Gbit/s at
     * 0.76 CPU s/GB, 32 KiB 13.3 at 0.40 (HAProxy's 16 KiB buffers: 13.4 at 0.40), 16 KiB 12.6 at
     * 0.43, 8 KiB 11.8 at 0.50 (perf/results/NOTES.md, tenth round).
     */
    static final int RELAY_READ_BYTES = 32 * 1024;
    /**
     * Bytes one splice from the socket into the pipe may move: a Linux pipe's default capacity (16
     * pages of 4 KiB; pages of a loopback segment may hold more each, and the kernel stops when the
     * pipe's 16 slots are used).
     */
    static final int SPLICE_BYTES = 64 * 1024;
    /** Reads per relayed batch at most, as Netty's default {@code maxMessagesPerRead}. */
    private static final int RELAY_READS_PER_BATCH = 16;
    /** One receive buffer per event-loop thread, never handed out: every read is sent or copied at once. */
    private static final FastThreadLocal<ByteBuf> RELAY_BUFFER = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return Unpooled.directBuffer(RELAY_READ_BYTES, RELAY_READ_BYTES);
        }

        @Override
        protected void onRemoval(ByteBuf buf) {
            buf.release();
        }
    };

    /** Told what a read batch relayed straight to the peer; called on the event loop. */
    @FunctionalInterface
    public interface Relayed {
        /**
         * {@code bytes} (more than 0) read in this batch went to the peer, sent or queued and flushed.
         * In place of {@code channelReadComplete}: the place to count them and to stop reading when
         * the peer is no longer writable.
         */
        void relayed(int bytes);
    }

    /** An unconnected socket of the JVM's preferred family (for {@code Bootstrap.channel}). */
    public PortierSocketChannel() {
        this(LinuxSocket.newSocketStream((SocketProtocolFamily) null));
    }

    /** An unconnected socket of {@code family}. */
    public PortierSocketChannel(SocketProtocolFamily family) {
        this(LinuxSocket.newSocketStream(family));
    }

    private PortierSocketChannel(LinuxSocket fd) {
        super(fd, false);
        parent = null;
        config = new PortierSocketChannelConfig(this, false);
        interest(Native.EPOLLERR | EPOLLPRI | Native.EPOLLET);
    }

    /**
     * A connection {@code parent} accepted from {@code remote}; {@code noDelaySet}: its socket has
     * TCP_NODELAY on already, copied from the listening socket.
     */
    PortierSocketChannel(ServerSocketChannel parent, LinuxSocket fd, InetSocketAddress remote, boolean noDelaySet) {
        // Not Netty's "active" constructor: that one reads both addresses from the socket.
        super(fd, false);
        this.parent = parent;
        this.remote = remote;
        active = true;
        config = new PortierSocketChannelConfig(this, noDelaySet);
        interest(Native.EPOLLERR | EPOLLPRI | Native.EPOLLET);
    }

    /**
     * An unconnected socket of {@code family} that will read as soon as it connects: EPOLLIN joins
     * its first {@code EPOLL_CTL_ADD} (see the class comment). For a channel whose reads are on
     * (auto-read) from the start.
     */
    public static PortierSocketChannel connecting(SocketProtocolFamily family) {
        PortierSocketChannel ch = new PortierSocketChannel(family);
        ch.interest(Native.EPOLLIN);
        return ch;
    }

    /**
     * Asks for EPOLLIN in this channel's first {@code EPOLL_CTL_ADD}: for an accepted connection with
     * auto-read on, which Netty would otherwise add with one more MOD as it becomes active. Call
     * before registration.
     */
    public void readFromRegistration() {
        if (isRegistered()) {
            throw new IllegalStateException("already registered: " + this);
        }
        interest(Native.EPOLLIN);
    }

    /** A {@link SequentialId}, in place of Netty's (which reads the clock and a random per channel). */
    @Override
    protected ChannelId newId() {
        return new SequentialId();
    }

    /**
     * A channel id from one counter for the process: unique within it (Netty's short text, four
     * random bytes, is not), short text the counter in hex, as the admin API shows it.
     */
    static final class SequentialId implements ChannelId {
        private static final AtomicLong NEXT = new AtomicLong();
        private final long value = NEXT.incrementAndGet();

        @Override
        public String asShortText() {
            return Long.toHexString(value);
        }

        @Override
        public String asLongText() {
            return "portier-" + Long.toHexString(value);
        }

        @Override
        public int compareTo(ChannelId o) {
            return o instanceof SequentialId s ? Long.compare(value, s.value) : asLongText().compareTo(o.asLongText());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SequentialId s && s.value == value;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(value);
        }

        @Override
        public String toString() {
            return asShortText();
        }
    }

    /** Adds {@code flag} to the interest set; before registration no syscall. */
    private void interest(int flag) {
        try {
            setFlag(flag);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public boolean isInputShutdown() {
        return inputEnded || super.isInputShutdown();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public PortierSocketChannelConfig config() {
        return config;
    }

    @Override
    public ServerSocketChannel parent() {
        return parent;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected SocketAddress localAddress0() {
        InetSocketAddress l = local;
        if (l == null && socket.isOpen()) {
            l = socket.localAddress();
            if (l == null || l.getPort() == 0) {
                // Not bound yet (before connect): null, as Netty's, so that nothing caches it.
                return null;
            }
            local = l;
        }
        return l;
    }

    /**
     * Netty's connect minus its {@code getsockname} afterwards (the local address is read when
     * asked), and with a connect to a loopback address taken as done when it is (see
     * {@link #connectedAlready}). The peer's address is the one connected to: an IP literal, as every
     * caller here passes.
     *
     * @return true when connected now: EPOLLOUT is not asked for, and the socket is not yet in epoll
     */
    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        if (localAddress instanceof InetSocketAddress l) {
            checkResolvable(l);
        }
        if (!(remoteAddress instanceof InetSocketAddress target)) {
            throw new UnsupportedAddressTypeException();
        }
        checkResolvable(target);
        if (remote != null) {
            throw new AlreadyConnectedException();
        }
        if (localAddress != null) {
            socket.bind(localAddress);
        }
        boolean connected;
        boolean success = false;
        try {
            connected = socket.connect(remoteAddress) || connectedAlready(target);
            if (!connected) {
                setFlag(Native.EPOLLOUT);
            }
            success = true;
        } finally {
            if (!success) {
                doClose(); // as Netty's doConnect0
            }
        }
        remote = target;
        return connected;
    }

    /**
     * Whether a connect that said "in progress" has in fact completed. To a loopback address it
     * almost always has: Linux hands a loopback packet to its receiver inside the call that sends it,
     * so the SYN, the SYN-ACK and the ACK have all been processed when {@code connect} returns
     * EINPROGRESS. One {@code getpeername} (it succeeds only once the socket is connected) then
     * spares what waiting for EPOLLOUT costs: the socket added to epoll with EPOLLOUT, a
     * loop turn for the event, a MOD to drop it, and the connect timeout started and stopped. The
     * connection is relayed from the same loop turn, so the client's first bytes need not be held
     * meanwhile. For a loopback connect that is refused or still waiting the call fails (ENOTCONN)
     * and EPOLLOUT is waited for as before. Other addresses are not asked: the handshake takes a
     * network round trip there, so the call would only fail.
     */
    private boolean connectedAlready(InetSocketAddress target) {
        return target.getAddress().isLoopbackAddress() && socket.remoteAddress() != null;
    }

    /**
     * From now on, for the rest of this channel's life, its reads go straight to {@code peer}'s socket
     * (see the class comment), and {@code relayed} hears of each batch. Call once, on the event loop,
     * which must be {@code peer}'s too. With {@code splice}, once a read fills the buffer the
     * direction is taken to stream and its later batches are spliced through a pipe, the bytes never
     * copied into the process ({@link #spliceIn}).
     *
     * @return false (and nothing changes) when the two loops differ or the buffers here have no
     *         native address to use
     */
    public boolean relayTo(PortierSocketChannel peer, Relayed relayed, boolean splice) {
        if (!eventLoop().inEventLoop()) {
            throw new IllegalStateException("relayTo off the event loop: " + this);
        }
        ByteBuf buf = RELAY_BUFFER.get(); // the loop thread's own
        if (peer.eventLoop() != eventLoop() || !buf.hasMemoryAddress()) {
            return false;
        }
        this.relayBuffer = buf;
        this.relayPeer = peer;
        this.relayed = relayed;
        this.spliceAllowed = splice;
        return true;
    }

    /**
     * Reads what the socket holds now, as an EPOLLIN would, without waiting for epoll to report it
     * (HAProxy's speculative read after accept): for a connection just paired with its peer, whose
     * client may have sent its first bytes already. They then reach the server straight after its
     * connect, while it is still awake from the handshake, and the loop handles one event less. When
     * nothing has come, one {@code recv} finds nothing and EPOLLIN reports the bytes later as usual
     * (under conn-churn on loopback, from 83% of connections to about 6% on the same VM an hour or
     * so apart; perf/results/NOTES.md).
     * Does nothing on a channel that is not reading (auto-read off, EPOLLIN not asked for, or its
     * input ended), nor from inside one of its own reads (a handler that made the connection
     * active as it read, such as the PROXY header's decoder): that read goes on by itself, and a
     * nested one would overtake the bytes it has yet to pass on. Loop only.
     */
    public void readNow() {
        if (!eventLoop().inEventLoop()) {
            throw new IllegalStateException("readNow off the event loop: " + this);
        }
        if (!reading && isActive() && config.isAutoRead() && isFlagSet(Native.EPOLLIN)) {
            ((PortierUnsafe) unsafe()).epollInReady();
        }
    }

    /** The channel this one's reads go straight to ({@link #relayTo}), or null: through the pipeline. */
    public PortierSocketChannel relayPeer() {
        return relayPeer;
    }

    /** Whether a relayed batch may start: nothing waits to be written here. */
    private boolean idleForRelay() {
        ChannelOutboundBuffer queued = unsafe().outboundBuffer();
        return queued != null && queued.totalPendingWriteBytes() == 0 && isActive();
    }

    /**
     * Turns TCP_CORK on before the last bytes of a relayed stream are sent here, because the FIN
     * follows them at once ({@code Relay.shutdownOutput} or a close, as soon as they are written): the
     * kernel then sends the bytes and the FIN in one segment, one packet (and one ACK) less through the
     * stack than a segment for each, as HAProxy does with {@code MSG_MORE}. Nothing is written here
     * after the FIN, so TCP_CORK is never turned off; a corked tail that did wait longer would still
     * leave after at most the kernel's 200 ms. When the option cannot be set, the bytes leave as usual.
     */
    private void corkForEnd() {
        if (corkedForEnd) {
            return;
        }
        corkedForEnd = true;
        try {
            socket.setTcpCork(true);
        } catch (IOException e) {
            // Not corked: the bytes and the FIN go in two segments, as without this.
        }
    }

    /**
     * Sends {@code n} bytes from the start of {@code buf} to this channel's socket; queues what it
     * does not take as a normal write. Returns true when something was queued (flush, end the batch).
     */
    private boolean relayWrite(ByteBuf buf, int n) {
        int sent;
        try {
            sent = socket.sendAddress(buf.memoryAddress(), 0, n);
        } catch (IOException | NotYetConnectedException e) {
            sent = 0; // the normal write meets the same error and ends this channel its way
        }
        if (sent == n) {
            return false;
        }
        ByteBuf rest = alloc().directBuffer(n - sent);
        rest.writeBytes(buf, sent, n - sent);
        write(rest, voidPromise());
        return true;
    }

    /**
     * Sends what {@code s}'s pipe holds to this channel's socket ({@code splice(2)}, no copy); queues
     * {@code s} as a normal write for what the socket does not take (it then waits for EPOLLOUT, is
     * counted as queued by {@link #idleForRelay}, and is written before anything queued after it).
     * Returns true when something was queued (flush, end the batch).
     */
    private boolean spliceOut(Splice s) {
        try {
            s.inPipe -= Native.splice(s.readEnd.intValue(), -1, socket.intValue(), -1, s.inPipe);
        } catch (IOException | NotYetConnectedException e) {
            // The queued write meets the same error and ends this channel its way.
        }
        if (s.inPipe == 0) {
            return false;
        }
        s.queued();
        write(s, voidPromise());
        return true;
    }

    /** Lets a {@link Splice} into the outbound buffer (Netty's filter takes buffers and file regions only). */
    @Override
    protected Object filterOutboundMessage(Object msg) {
        return msg instanceof Splice ? msg : super.filterOutboundMessage(msg);
    }

    /** Writes a queued {@link Splice} from its pipe; any other message as Netty does. */
    @Override
    protected int doWriteSingle(ChannelOutboundBuffer in) throws Exception {
        if (!(in.current() instanceof Splice s)) {
            return super.doWriteSingle(in);
        }
        s.inPipe -= Native.splice(s.readEnd.intValue(), -1, socket.intValue(), -1, s.inPipe);
        if (s.inPipe > 0) {
            return WRITE_STATUS_SNDBUF_FULL; // the rest when EPOLLOUT comes
        }
        in.remove(); // releases s: its owner reads on
        return 1;
    }

    /** {@code s}'s pipe has been emptied into the peer: read on, as the read that was paused would have. */
    private void spliceDrained() {
        if (isActive() && !isInputShutdown() && config.isAutoRead()) {
            read();
        }
    }

    /**
     * One direction's pipe and, while queued on the peer, the write that empties it: the
     * {@code ReferenceCounted} message Netty's outbound buffer releases when it has been written or
     * has failed. One object per direction for the connection's life, queued again at each stall.
     * Loop only.
     */
    private static final class Splice extends AbstractReferenceCounted {
        private final PortierSocketChannel owner;
        final FileDescriptor readEnd;
        final FileDescriptor writeEnd;
        /** Bytes in the pipe. */
        int inPipe;
        /** In the peer's outbound buffer now. */
        private boolean queued;
        private boolean ownerClosed;

        Splice(PortierSocketChannel owner, FileDescriptor[] pipe) {
            this.owner = owner;
            this.readEnd = pipe[0];
            this.writeEnd = pipe[1];
        }

        /** About to be queued on the peer. */
        void queued() {
            setRefCnt(1);
            queued = true;
        }

        boolean isQueued() {
            return queued;
        }

        /** The owner has closed: the pipe goes now, or once the peer is done with the queued write. */
        void ownerClosed() {
            ownerClosed = true;
            if (!queued) {
                closePipe();
            }
        }

        @Override
        protected void deallocate() {
            queued = false;
            if (ownerClosed) {
                closePipe();
            } else if (inPipe == 0) {
                owner.spliceDrained();
            }
            // Else the write failed with bytes left and the peer is closing; the owner's close frees the pipe.
        }

        private void closePipe() {
            closeQuietly(readEnd);
            closeQuietly(writeEnd);
        }

        private static void closeQuietly(FileDescriptor fd) {
            try {
                fd.close();
            } catch (IOException e) {
                // Nothing to do: the descriptor is gone either way.
            }
        }

        @Override
        public ReferenceCounted touch(Object hint) {
            return this;
        }

        @Override
        public String toString() {
            return "Splice(" + inPipe + " bytes in the pipe)";
        }
    }

    @Override
    protected void doClose() throws Exception {
        ChannelPromise pending = connectPromise;
        if (pending != null) {
            connectPromise = null;
            pending.tryFailure(new ClosedChannelException());
        }
        cancelConnectTimeout();
        // On the loop only: a close with SO_LINGER's timeout runs elsewhere and must not block the loop.
        closing = isRegistered() && eventLoop().inEventLoop();
        Splice s = splice;
        if (s != null) {
            splice = null;
            if (eventLoop().inEventLoop()) {
                s.ownerClosed();
            } else {
                try {
                    eventLoop().execute(s::ownerClosed); // a lingering close: the pipe is the loop's
                } catch (RejectedExecutionException e) {
                    s.ownerClosed(); // the loop has stopped: nothing touches the pipe any more
                }
            }
        }
        super.doClose();
    }

    /**
     * On close, the socket is closed before its registration is cancelled: closing a socket takes it
     * out of epoll, and Netty's registration skips {@code EPOLL_CTL_DEL} for a closed socket (one
     * syscall less per socket, as nginx closes). Portier never duplicates a socket's descriptor, the
     * one case where a close leaves it in epoll. Deregistering an open channel still deletes.
     */
    @Override
    protected void doDeregister() throws Exception {
        if (closing) {
            socket.close();
        }
        super.doDeregister();
    }

    /** On the loop, or handed to it from a lingering close's executor (see {@code prepareToClose}). */
    private void cancelConnectTimeout() {
        ConnectTimeout timeout = connectTimeout;
        if (timeout != null) {
            if (eventLoop().inEventLoop()) {
                timeout.stop();
            } else {
                eventLoop().execute(timeout::stop);
            }
        }
    }

    /**
     * {@code CONNECT_TIMEOUT_MILLIS}, as Netty's (same message), on the loop's list of timeouts of that
     * length ({@link LoopTimeouts}) instead of a task scheduled and cancelled per connect.
     */
    private final class ConnectTimeout extends LoopTimeouts.Timeout {
        private int millis;
        private SocketAddress remoteAddress;

        @Override
        protected void expired() {
            ChannelPromise pending = connectPromise;
            if (pending != null && pending.tryFailure(new ConnectTimeoutException(
                    "connection timed out after " + millis + " ms: " + remoteAddress))) {
                connectPromise = null;
                unsafe().close(voidPromise());
            }
        }
    }

    @Override
    protected AbstractEpollUnsafe newUnsafe() {
        return new PortierUnsafe();
    }

    private final class PortierUnsafe extends EpollStreamUnsafe {
        /**
         * Netty's connect with what it repeats when the connect completes taken out: the
         * {@code getpeername} (the peer is the address connected to, known already) and a second
         * {@code EPOLL_CTL_MOD} with the interest set just written. Unlike Netty's, the promise is made
         * uncancellable (cancelling it fails; close the channel instead), which spares a listener per
         * connect. The connect timeout ({@code CONNECT_TIMEOUT_MILLIS}) and its message are Netty's.
         */
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                boolean wasActive = isActive();
                if (doConnect(remoteAddress, localAddress)) {
                    // Connected now: into epoll with the interest set as it stands (no EPOLLOUT).
                    submitCurrentOps();
                    connected(promise, wasActive);
                    return;
                }
                connectPromise = promise;
                int millis = config.getConnectTimeoutMillis();
                if (millis > 0) {
                    if (connectTimeout == null) {
                        connectTimeout = new ConnectTimeout();
                    }
                    connectTimeout.millis = millis;
                    connectTimeout.remoteAddress = remoteAddress;
                    LoopTimeouts.on(eventLoop(), TimeUnit.MILLISECONDS.toNanos(millis)).start(connectTimeout);
                }
            } catch (Throwable t) {
                closeIfClosed();
                promise.tryFailure(annotateConnectException(t, remoteAddress));
            }
        }

        /**
         * Netty's event order (writable or error first, then readable, then peer shutdown). A relayed
         * channel notes the peer's FIN before it reads, not after as Netty does: the read that brings
         * the last bytes then knows they are the last ({@link #relayIn}).
         */
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int ops = ((EpollIoEvent) event).ops().value;
            if ((ops & EPOLLPRI) != 0) {
                urgentData();
            }
            if ((ops & EpollIoOps.EPOLL_RDHUP_MASK) != 0 && relayPeer != null) {
                recvBufAllocHandle().receivedRdHup(); // as Netty's epollRdHupReady, which follows, does
                if ((ops & Native.EPOLLERR) == 0 && !urgentSeen) {
                    peerFinQueued = true;
                }
            }
            if ((ops & EpollIoOps.EPOLL_ERR_OUT_MASK) != 0) {
                if (connectPromise != null) {
                    finishConnect((ops & (Native.EPOLLERR | EPOLLHUP)) == 0);
                } else {
                    epollOutReady();
                }
            }
            if ((ops & EpollIoOps.EPOLL_ERR_IN_MASK) != 0) {
                epollInReady();
            }
            if ((ops & EpollIoOps.EPOLL_RDHUP_MASK) != 0) {
                rdHupReady();
            }
        }

        /**
         * Netty's {@code epollRdHupReady} but for its {@code EPOLL_CTL_MOD} dropping EPOLLRDHUP:
         * edge-triggered, the peer's FIN is reported once; a later wake-up of the socket (a change of
         * TCP state) may report it again, and then finds the input ended and does nothing.
         */
        private void rdHupReady() {
            recvBufAllocHandle().receivedRdHup();
            if (isActive()) {
                epollInReady();
            } else {
                shutdownInput(false);
            }
        }

        /**
         * The first EPOLLPRI: urgent data has come (see {@link #urgentSeen}). EPOLLPRI is dropped from
         * the interest set: while the urgent byte waits, every later wake-up of the socket (edge-triggered,
         * but each new segment is one) would report it again, also while reads are paused.
         * The data itself is read as usual; the urgent byte is not relayed (see {@link #relayIn}).
         */
        private void urgentData() {
            urgentSeen = true;
            peerFinQueued = false;
            try {
                clearFlag(EPOLLPRI);
            } catch (IOException e) {
                pipeline().fireExceptionCaught(e);
                close(voidPromise());
            }
        }

        /**
         * @param writableOnly the event was EPOLLOUT without EPOLLERR or EPOLLHUP: on Linux a TCP socket
         *                     reports EPOLLOUT only once its handshake is done, and a failed connect
         *                     always comes with EPOLLERR, so the connect has succeeded and the
         *                     {@code getsockopt(SO_ERROR)} that would say so is spared (as HAProxy does)
         */
        private void finishConnect(boolean writableOnly) {
            ChannelPromise promise = connectPromise;
            boolean wasActive = isActive();
            try {
                if (!writableOnly && !socket.finishConnect()) {
                    return; // still in progress: EPOLLOUT stays asked for
                }
                connectPromise = null;
                cancelConnectTimeout();
                clearFlag(Native.EPOLLOUT);
                connected(promise, wasActive);
            } catch (Throwable t) {
                connectPromise = null;
                cancelConnectTimeout();
                promise.tryFailure(annotateConnectException(t, remote));
                closeIfClosed();
            }
        }

        /** As Netty's: active, the promise told, then {@code channelActive}. */
        private void connected(ChannelPromise promise, boolean wasActive) {
            active = true;
            boolean nowActive = isActive();
            boolean told = promise.trySuccess();
            if (!wasActive && nowActive) {
                pipeline().fireChannelActive();
            }
            if (!told) {
                close(voidPromise());
            }
        }

        @Override
        void epollInReady() {
            if (inputEnded) {
                return; // the FIN is read: edge-triggered, nothing to drop from the interest set
            }
            reading = true;
            try {
                readBatch();
            } finally {
                reading = false;
            }
        }

        /** One read batch: the pipeline's read loop, or one straight to the peer. */
        private void readBatch() {
            Splice s = splice;
            if (s != null && s.isQueued()) {
                clearEpollIn0(); // the pipe's bytes first: reads resume once the peer has taken them
                return;
            }
            PortierSocketChannel peer = relayPeer;
            if (peer == null || !peer.idleForRelay() || (s != null && s.inPipe > 0)) {
                super.epollInReady();
                moreToRead = recvBufAllocHandle().maybeMoreDataToRead();
            } else if (shouldBreakEpollInReady(config())) {
                clearEpollIn0(); // as Netty's read loop, for a channel whose input has been shut down
                return;
            } else if (streaming && !urgentSeen) {
                spliceIn(peer);
            } else {
                relayIn(peer);
            }
            readOnIfMore();
        }

        /**
         * Edge-triggered epoll reports a readable socket once, when bytes come, not for as long as
         * some are left (as Netty's level-triggered loop does). A batch that stopped with bytes perhaps
         * left behind (at its read limit, or with a write queued on the peer that still takes more) is
         * therefore followed by another one, queued on the loop behind the other work of this round.
         * Reads that are paused have dropped EPOLLIN; resuming them re-adds it with an
         * {@code EPOLL_CTL_MOD}, which reports a socket that is readable already.
         */
        private void readOnIfMore() {
            if (!moreToRead || readOnQueued || !isOpen() || inputEnded || !isFlagSet(Native.EPOLLIN)) {
                return;
            }
            Runnable task = readOn;
            if (task == null) {
                task = readOn = () -> {
                    readOnQueued = false;
                    if (isOpen() && !inputEnded && isFlagSet(Native.EPOLLIN)) {
                        epollInReady();
                    }
                };
            }
            readOnQueued = true;
            eventLoop().execute(task);
        }

        /**
         * One read batch spliced through this direction's pipe to {@code peer}: from the socket into
         * the pipe and from the pipe into the peer's socket, two {@code splice(2)} calls per step and
         * no copy of the bytes into the process (HAProxy's splice). Backpressure as {@link #relayIn}:
         * what the peer does not take stays in the pipe, queued on the peer as a write ({@link Splice}),
         * and this side's reads pause until it has gone. The end of stream: a splice that moves nothing
         * once the peer's FIN is queued ({@link #peerFinQueued}); before it, nothing to read now. Errors
         * as {@link #relayIn}.
         */
        private void spliceIn(PortierSocketChannel peer) {
            final ChannelConfig config = config();
            Splice s = splice;
            if (s == null) {
                try {
                    s = splice = new Splice(PortierSocketChannel.this, FileDescriptor.pipe());
                } catch (IOException e) {
                    // No pipe to be had (descriptors used up): this connection's reads stay copied.
                    streaming = false;
                    spliceAllowed = false;
                    relayIn(peer);
                    return;
                }
            }
            if (peerFinQueued) {
                peer.corkForEnd();
            }
            boolean rdHup = recvBufAllocHandle().isReceivedRdHup();
            int total = 0;
            boolean queued = false;
            boolean eof = false;
            boolean drained = false;
            Throwable failure = null;
            try {
                for (int reads = 0; reads < RELAY_READS_PER_BATCH; reads++) {
                    // A short splice does not mean the socket is empty (the pipe may have run out of
                    // slots first): only a splice that moves nothing says so.
                    int n = Native.splice(socket.intValue(), -1, s.writeEnd.intValue(), -1, SPLICE_BYTES);
                    if (n == 0) {
                        eof = peerFinQueued; // else nothing more for now (EAGAIN reads as 0 too)
                        drained = true;
                        break;
                    }
                    readPending = false;
                    total += n;
                    s.inPipe = n;
                    queued = peer.spliceOut(s);
                    if (queued || !config.isAutoRead() || shouldBreakEpollInReady(config)) {
                        break;
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
            if (eof) {
                readPending = false;
            }
            moreToRead = !drained && failure == null;
            endBatch(peer, config, queued, total, failure, eof, s);
        }

        /**
         * One read batch relayed straight to {@code peer}; see the class comment. Once the peer's FIN
         * is queued ({@link #peerFinQueued}), a short read is the last: it goes to the peer corked
         * ({@link #corkForEnd}) and the end of stream follows without the {@code recv} that would
         * return 0, as HAProxy infers it. Every byte sent before a FIN is queued before it, so the
         * only other thing that cuts a read short is TCP urgent data (the read stops at its mark):
         * once epoll has reported any ({@link #urgentSeen}), the end is read as Netty reads it. The
         * urgent byte itself is not relayed (the kernel takes it out of the stream, SO_OOBINLINE
         * being off), as by HAProxy and nginx.
         */
        private void relayIn(PortierSocketChannel peer) {
            final ChannelConfig config = config();
            ByteBuf buf = relayBuffer;
            long address = buf.memoryAddress();
            // After EPOLLRDHUP, read on to the end of stream, as Netty does.
            boolean rdHup = recvBufAllocHandle().isReceivedRdHup();
            int total = 0;
            boolean queued = false;
            boolean eof = false;
            int n = 0;
            Throwable failure = null;
            try {
                for (int reads = 0; reads < RELAY_READS_PER_BATCH; reads++) {
                    n = socket.recvAddress(address, 0, RELAY_READ_BYTES);
                    if (n <= 0) {
                        eof = n < 0; // 0: nothing more for now
                        if (eof) {
                            readPending = false;
                        }
                        break;
                    }
                    readPending = false;
                    total += n;
                    if (n == RELAY_READ_BYTES && spliceAllowed) {
                        streaming = true; // the next batch splices
                    }
                    boolean last = n < RELAY_READ_BYTES && peerFinQueued;
                    if (last) {
                        peer.corkForEnd();
                    }
                    queued = peer.relayWrite(buf, n);
                    if (last) {
                        eof = true;
                        readPending = false;
                        break;
                    }
                    if (queued || (n < RELAY_READ_BYTES && !rdHup) || !config.isAutoRead()
                            || shouldBreakEpollInReady(config)) {
                        break;
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
            // A full read may have left more behind; after the peer's FIN any read but the last.
            moreToRead = !eof && failure == null && n > 0 && (n == RELAY_READ_BYTES || rdHup);
            endBatch(peer, config, queued, total, failure, eof, null);
        }

        /**
         * The end of a batch of {@link #relayIn} or {@link #spliceIn}: the peer flushed when something
         * was queued on it, the bytes told, then an error or the end of stream handled as Netty's read
         * loop does (the error to the pipeline, then an I/O error ends the input). Reads stop when the
         * config says so, or while {@code pipe} still waits on the peer.
         */
        private void endBatch(PortierSocketChannel peer, ChannelConfig config, boolean queued, int total,
                              Throwable failure, boolean eof, Splice pipe) {
            try {
                if (queued) {
                    peer.flush();
                }
                if (total > 0) {
                    relayed.relayed(total);
                }
                if (failure != null) {
                    pipeline().fireExceptionCaught(failure);
                    if (failure instanceof IOException) {
                        shutdownInput(true);
                    }
                } else if (eof) {
                    shutdownInput(true);
                }
            } finally {
                if ((pipe != null && pipe.isQueued()) || shouldStopReading(config)) {
                    clearEpollIn();
                }
            }
        }

        @Override
        protected Executor prepareToClose() {
            // As Netty's: a close that may block (SO_LINGER on with a timeout) runs off the loop, with
            // the registration cancelled first so the loop does not spin on the socket meanwhile.
            if (config.lingers() && isOpen()) {
                registration().cancel();
                return GlobalEventExecutor.INSTANCE;
            }
            return null;
        }

        /**
         * Netty's, but for the end of stream read on a half-closable channel, where the input is only
         * marked ended ({@link #inputEnded}): the peer's FIN is in, so the kernel's input is over and
         * {@code shutdown(SHUT_RD)} would change nothing but cost a syscall. The interest set stays:
         * edge-triggered, the end of stream is not reported again.
         */
        @Override
        void shutdownInput(boolean allDataRead) {
            if (inputEnded) {
                return; // as Netty's for an input already shut down whose end was read
            }
            if (!allDataRead || socket.isInputShutdown() || !config.isAllowHalfClosure() || !isOpen()) {
                super.shutdownInput(allDataRead);
                return;
            }
            inputEnded = true;
            readPending = false;
            pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            inputClosedSeenErrorOnRead = true;
            pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        }
    }
}
