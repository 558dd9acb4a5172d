package io.netty.channel.epoll;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import io.portier.core.transport.LazyAdaptiveRecvAllocator;

import java.io.IOException;
import java.util.Map;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/**
 * The configuration of a {@link PortierSocketChannel}: the standard socket options, each read from
 * and written to the socket when asked, as Netty's {@code EpollSocketChannelConfig} does, with two
 * differences that save a syscall each per connection, and a third for accepted connections:
 *
 * <ul>
 *   <li>TCP_NODELAY, on as in Netty, is not set on an accepted socket that has it already: Linux
 *       copies it from the listening socket, where {@link PortierServerSocketChannel} sets it (and
 *       checks, on its first connection, that it was copied).</li>
 *   <li>No {@code getsockopt(SO_SNDBUF)} at construction: Netty reads the send buffer to cap one
 *       gathering write at twice its size. Here the cap stays at Netty's default (unbounded); a relay
 *       never queues more than its write-buffer high-water mark plus one read batch, and the kernel
 *       takes what fits.</li>
 *   <li>SO_LINGER is remembered as it is set, so closing asks the socket nothing: Netty reads it back
 *       ({@code getsockopt}) at every close to decide whether the close may block.</li>
 * </ul>
 *
 * <p>Receive buffers are sized as with Netty's default allocator, by a {@link LazyAdaptiveRecvAllocator},
 * whose guesser a relayed connection never builds.
 *
 * <p>Epoll-only TCP options ({@code TCP_CORK}, {@code TCP_KEEPIDLE} and the like) are not offered:
 * Portier sets none of them. {@code IntegerUnixChannelOption} and {@code RawUnixChannelOption}
 * still reach the socket through {@link EpollChannelConfig}.
 */
public final class PortierSocketChannelConfig extends EpollChannelConfig implements SocketChannelConfig {
    private volatile boolean allowHalfClosure;
    /** The SO_LINGER value set through this config; -1 (off, the kernel default) until then. */
    private volatile int soLinger = -1;

    /** @param noDelaySet TCP_NODELAY is on already (copied from the listening socket) */
    PortierSocketChannelConfig(PortierSocketChannel channel, boolean noDelaySet) {
        super(channel, new LazyAdaptiveRecvAllocator());
        if (!noDelaySet) {
            // Netty's default for TCP channels on every platform but Android.
            setTcpNoDelay(true);
        }
    }

    /** Whether a close may block: SO_LINGER set on with a timeout (Netty then closes off the loop). */
    boolean lingers() {
        return soLinger > 0;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(),
                SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER, IP_TOS, ALLOW_HALF_CLOSURE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        }
        if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    private interface SocketCall<T> {
        T call() throws IOException;
    }

    private static <T> T io(SocketCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public boolean isTcpNoDelay() {
        return io(() -> socket().isTcpNoDelay());
    }

    @Override
    public PortierSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        return io(() -> {
            socket().setTcpNoDelay(tcpNoDelay);
            return this;
        });
    }

    @Override
    public int getSoLinger() {
        return io(() -> socket().getSoLinger());
    }

    @Override
    public PortierSocketChannelConfig setSoLinger(int soLinger) {
        return io(() -> {
            socket().setSoLinger(soLinger);
            this.soLinger = soLinger;
            return this;
        });
    }

    @Override
    public int getSendBufferSize() {
        return io(() -> socket().getSendBufferSize());
    }

    @Override
    public PortierSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        return io(() -> {
            socket().setSendBufferSize(sendBufferSize);
            return this;
        });
    }

    @Override
    public int getReceiveBufferSize() {
        return io(() -> socket().getReceiveBufferSize());
    }

    @Override
    public PortierSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        return io(() -> {
            socket().setReceiveBufferSize(receiveBufferSize);
            return this;
        });
    }

    @Override
    public boolean isKeepAlive() {
        return io(() -> socket().isKeepAlive());
    }

    @Override
    public PortierSocketChannelConfig setKeepAlive(boolean keepAlive) {
        return io(() -> {
            socket().setKeepAlive(keepAlive);
            return this;
        });
    }

    @Override
    public int getTrafficClass() {
        return io(() -> socket().getTrafficClass());
    }

    @Override
    public PortierSocketChannelConfig setTrafficClass(int trafficClass) {
        return io(() -> {
            socket().setTrafficClass(trafficClass);
            return this;
        });
    }

    @Override
    public boolean isReuseAddress() {
        return io(() -> socket().isReuseAddress());
    }

    @Override
    public PortierSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        return io(() -> {
            socket().setReuseAddress(reuseAddress);
            return this;
        });
    }

    @Override
    public PortierSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public PortierSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    public PortierSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public PortierSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public PortierSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public PortierSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public PortierSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }
}
