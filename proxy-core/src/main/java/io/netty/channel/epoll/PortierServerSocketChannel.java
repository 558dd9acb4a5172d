package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.NativeInetAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * Portier's epoll listening socket: Netty's server channel (its accept loop as it is), whose accepted
 * connections are {@link PortierSocketChannel}s, the reason it exists: Netty's final
 * {@code EpollServerSocketChannel} builds its own channel class for every connection. Options: those
 * of {@link EpollServerChannelConfig} (SO_BACKLOG, SO_REUSEADDR, SO_RCVBUF, IP_FREEBIND,
 * IP_TRANSPARENT, TCP_DEFER_ACCEPT) and SO_REUSEPORT; SO_REUSEADDR on by default, as in Netty and
 * the JDK. TCP fast open and TCP_MD5SIG are not offered (Portier uses neither).
 *
 * <p>TCP_NODELAY is set on the listening socket, from which Linux copies it to every accepted one:
 * a {@code setsockopt} per connection less. The first connection's socket is asked whether it came
 * with it; if it did not, every connection sets it itself, as Netty's do.
 */
public final class PortierServerSocketChannel extends AbstractEpollServerChannel implements ServerSocketChannel {
    private final Config config;
    /** Accepted sockets have TCP_NODELAY from the listener: null until the first is asked. Loop only. */
    private Boolean childrenHaveNoDelay;

    /** A listening socket of the JVM's preferred family (for {@code ServerBootstrap.channel}). */
    public PortierServerSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    public PortierServerSocketChannel(SocketProtocolFamily family) {
        super(LinuxSocket.newSocketStream(family), false);
        config = new Config(this);
        try {
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            childrenHaveNoDelay = false; // each connection sets it
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        socket.listen(config.getBacklog());
        active = true;
        // Listening now: ask for the accept events.
        submitCurrentOps();
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) {
        LinuxSocket socket = new LinuxSocket(fd);
        return new PortierSocketChannel(this, socket, NativeInetAddress.address(address, offset, len),
                childrenHaveNoDelay(socket));
    }

    /** Whether accepted sockets come with TCP_NODELAY on; {@code first} answers for all. */
    private boolean childrenHaveNoDelay(LinuxSocket first) {
        Boolean known = childrenHaveNoDelay;
        if (known == null) {
            try {
                known = first.isTcpNoDelay();
            } catch (IOException e) {
                known = false;
            }
            childrenHaveNoDelay = known;
        }
        return known;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    /** {@link EpollServerChannelConfig} with SO_REUSEPORT. */
    public static final class Config extends EpollServerChannelConfig {
        Config(PortierServerSocketChannel channel) {
            super(channel);
            setReuseAddress(true);
        }

        @Override
        public Map<ChannelOption<?>, Object> getOptions() {
            return getOptions(super.getOptions(), EpollChannelOption.SO_REUSEPORT);
        }

        @SuppressWarnings("unchecked")
        @Override
        public <T> T getOption(ChannelOption<T> option) {
            if (option == EpollChannelOption.SO_REUSEPORT) {
                return (T) Boolean.valueOf(isReusePort());
            }
            return super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            if (option == EpollChannelOption.SO_REUSEPORT) {
                validate(option, value);
                setReusePort((Boolean) value);
                return true;
            }
            return super.setOption(option, value);
        }

        public boolean isReusePort() {
            try {
                return socket().isReusePort();
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }

        public Config setReusePort(boolean reusePort) {
            try {
                socket().setReusePort(reusePort);
                return this;
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }
    }
}
