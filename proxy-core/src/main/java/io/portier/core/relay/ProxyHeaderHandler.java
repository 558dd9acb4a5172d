package io.portier.core.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.portier.config.ProxyProtocolConfig;
import io.portier.core.log.EndReason;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code proxy-protocol.accept}: holds the connection back from the relay until the client's PROXY
 * header has arrived (Netty's {@code HAProxyMessageDecoder} sits before this handler), then records
 * the client it names in {@link Relay#CLIENT}, leaves the pipeline and lets the relay start. A missing,
 * malformed or wrong-version header, or none within {@code timeouts.connect}, closes the connection
 * with {@code end=error}; no server is contacted.
 *
 * <p>Thread: one instance per connection, on its event loop.
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {
    private final ProxyProtocolConfig.Version version;
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    ProxyHeaderHandler(ProxyProtocolConfig.Version version, Duration timeout) {
        this.version = version;
        this.timeout = timeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The relay's channelActive waits for the header; reads are off, so ask for one.
        timer = ctx.executor().schedule(() -> fail(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            // Bytes after the header, before this handler has left: the relay queues them.
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!ProxyProtocol.versionMatches(version, header)) {
                fail(ctx);
                return;
            }
            InetSocketAddress client = ProxyProtocol.source(header);
            if (client != null) {
                ctx.channel().attr(Relay.CLIENT).set(client);
            }
        } finally {
            ReferenceCountUtil.release(header);
        }
        timer.cancel(false);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && !ctx.isRemoved()) {
            ctx.read(); // the header is not complete yet
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx); // the decoder's HAProxyProtocolException: not a PROXY header
    }

    private void fail(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        Relay.close(ctx.channel(), EndReason.ERROR.text());
    }
}
