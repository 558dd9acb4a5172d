package io.netty.channel.epoll;

import io.netty.channel.ChannelException;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.concurrent.Executor;

/**
 * Portier's epoll TCP connection: Netty's stream channel (its read loop, writes, half-closure and
 * connect are used as they are), with what Netty's final {@code EpollSocketChannel} does per
 * connection and a proxy does not need taken out. It lives in Netty's package because the parts it
 * builds on are package-private there. Every change saves syscalls; none changes what the
 * connection does:
 *
 * <ul>
 *   <li><b>Addresses when asked.</b> The peer's address comes from {@code accept} (for a client) or
 *       is the address connected to (for a server); the local one is read ({@code getsockname}) the
 *       first time something asks for it, not when the channel is built and again after connect.
 *       Netty's channel pays one to two {@code getsockname} per connection that only the PROXY
 *       protocol header and the access log ever read.</li>
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
 *   <li><b>End of input in one {@code EPOLL_CTL_MOD}.</b> When the peer's FIN is read, EPOLLIN and
 *       EPOLLRDHUP are dropped together; Netty drops RDHUP at once and EPOLLIN only after one more
 *       wake-up for the (level-triggered) end of stream, two MODs and an idle {@code epoll_wait}
 *       round.</li>
 *   <li><b>Connect</b> ({@link #connecting}): EPOLLIN is asked for in the first
 *       {@code EPOLL_CTL_ADD}, for a connection that reads as soon as it is connected; Netty adds it
 *       with one more MOD once the connect completes. No read can come sooner.</li>
 * </ul>
 *
 * <p>What stays from Netty per connection: {@code getsockname} in the socket's constructor (to learn
 * its family) and {@code getpeername} when a connect completes, both inside Netty's final and private
 * code. TCP fast open and TCP_MD5SIG are not offered (Portier uses neither).
 *
 * <p>Thread: as any Netty channel, owned by its event loop once registered.
 */
public final class PortierSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private final PortierSocketChannelConfig config;
    private final ServerSocketChannel parent;
    private volatile InetSocketAddress remote;
    private volatile InetSocketAddress local;

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
        config = new PortierSocketChannelConfig(this);
        interest(Native.EPOLLERR);
    }

    /** A connection {@code parent} accepted from {@code remote}. */
    PortierSocketChannel(ServerSocketChannel parent, LinuxSocket fd, InetSocketAddress remote) {
        // Not Netty's "active" constructor: that one reads both addresses from the socket.
        super(fd, false);
        this.parent = parent;
        this.remote = remote;
        active = true;
        config = new PortierSocketChannelConfig(this);
        interest(Native.EPOLLERR);
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

    /** Adds {@code flag} to the interest set; before registration no syscall. */
    private void interest(int flag) {
        try {
            setFlag(flag);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
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
     * asked). The peer's address is the one connected to: an IP literal, as every caller here passes.
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
        boolean connected = doConnect0(remoteAddress);
        remote = target;
        return connected;
    }

    @Override
    protected AbstractEpollUnsafe newUnsafe() {
        return new PortierUnsafe();
    }

    private final class PortierUnsafe extends EpollStreamUnsafe {
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

        @Override
        void shutdownInput(boolean allDataRead) {
            super.shutdownInput(allDataRead);
            if (allDataRead && isOpen() && socket.isInputShutdown()) {
                // The end of stream is read: nothing more will come. One MOD for both bits.
                readPending = false;
                try {
                    clearFlag(Native.EPOLLIN | Native.EPOLLRDHUP);
                } catch (IOException e) {
                    pipeline().fireExceptionCaught(e);
                    close(voidPromise());
                }
            }
        }
    }
}
