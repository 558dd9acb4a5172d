package io.portier.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;

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

    /** Closes {@code frontend} with the given access-log end reason (any thread). */
    public static void close(Channel frontend, String endReason) {
        frontend.attr(END_REASON).setIfAbsent(endReason);
        frontend.close();
    }

    /** Flushes what is queued on {@code ch}, then closes it. */
    static void flushAndClose(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /**
     * Passes an end-of-stream on: shuts down the output of {@code ch} once everything queued on it has
     * been written (Netty fails writes still queued when the output shuts down).
     */
    static void shutdownOutput(Channel ch) {
        if (ch instanceof DuplexChannel duplex && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (ch.isActive()) {
                    duplex.shutdownOutput();
                }
            });
        }
    }

    static int size(Object msg) {
        return msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
    }
}
