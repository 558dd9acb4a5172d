package io.portier.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.AttributeKey;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Small helpers shared by the two relay handlers. */
public final class Relay {
    private Relay() {}

    /**
     * Set on a frontend channel before closing it from outside the relay (shutdown, drain, server
     * down) to name the {@code end=} reason its access log line carries.
     */
    public static final AttributeKey<String> END_REASON = AttributeKey.valueOf("portier.end");

    /**
     * The client named by an accepted PROXY protocol header; when set, it stands for the TCP peer in
     * the access log, for source-hash and for per-source limits.
     */
    public static final AttributeKey<InetSocketAddress> CLIENT = AttributeKey.valueOf("portier.client");

    /**
     * The value of {@code key} on {@code ch}, or null; unlike {@code ch.attr(key).get()}, it adds no
     * attribute to the channel's map when there is none (two allocations and a CAS per connection).
     */
    static <T> T attrOrNull(Channel ch, AttributeKey<T> key) {
        return ch.hasAttr(key) ? ch.attr(key).get() : null;
    }

    /** Closes {@code frontend} with the given access-log end reason (any thread). */
    public static void close(Channel frontend, String endReason) {
        frontend.attr(END_REASON).setIfAbsent(endReason);
        frontend.close();
    }

    /**
     * Closes {@code ch} once what is queued on it (or, when {@code shaped}, held by a shaper in its
     * pipeline) is written.
     */
    static void flushAndClose(Channel ch, boolean shaped) {
        if (ch.isActive() && !nothingQueued(ch, shaped)) {
            // A shaper holds delayed writes before the outbound buffer: close behind them, through the pipeline.
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /**
     * Passes an end-of-stream on: shuts down the output of {@code ch} once everything queued on it has
     * been written (Netty fails writes still queued when the output shuts down); {@code shaped} as
     * for {@link #flushAndClose}.
     */
    static void shutdownOutput(Channel ch, boolean shaped) {
        if (ch instanceof DuplexChannel duplex && ch.isActive()) {
            if (nothingQueued(ch, shaped)) {
                endOutput(duplex);
            } else {
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    if (ch.isActive()) {
                        endOutput(duplex);
                    }
                });
            }
        }
    }

    /**
     * Sends the FIN of a channel with nothing left to write, then lets the peer's own end of stream
     * close the channel outright.
     *
     * <p>On epoll the socket is shut down directly: Netty's {@code shutdownOutput} builds a
     * {@code ChannelOutputShutdownException}, stack trace included, on every call to fail writes that
     * cannot be queued here. Nothing is written to the channel afterwards (the relay writes to a side
     * only while the other side's input is open).
     *
     * <p>Half-closure is then switched off: the output is done, so when the peer's FIN comes both
     * directions have ended and Netty may close at once, without the {@code shutdown(SHUT_RD)} it
     * makes on a half-closable channel (which fails with ENOTCONN, and another stack-traced
     * exception, once the peer has closed altogether).
     */
    private static void endOutput(DuplexChannel ch) {
        if (ch.isOutputShutdown()) {
            return;
        }
        if (ch instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                ch.pipeline().fireExceptionCaught(e);
                return;
            }
        } else {
            ch.shutdownOutput();
        }
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    }

    /**
     * Nothing waits to be written on {@code ch}: neither in its outbound buffer nor, when
     * {@code shaped} (a bandwidth shaper sits in its pipeline, holding delayed writes of its own), in
     * a shaper, which is then taken to hold some.
     */
    private static boolean nothingQueued(Channel ch, boolean shaped) {
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        return !shaped && (queued == null || queued.isEmpty());
    }

    static int size(Object msg) {
        return msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
    }
}
