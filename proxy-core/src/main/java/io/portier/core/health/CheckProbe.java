package io.portier.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One active check: one connection, its only handler, and the verdict.
 *
 * <p>Thread: everything runs on the event loop of the bootstrap (the server's loop), so no field is
 * volatile. The verdict is handed to {@code done} exactly once, on that loop, and the connection is
 * closed then (with SO_LINGER 0 from the bootstrap, so checks leave no TIME_WAIT behind).
 */
final class CheckProbe extends ChannelInboundHandlerAdapter {
    private final HealthCheck check;
    private final byte[] request;
    private final long timeoutNanos;
    private final Consumer<CheckResult> done;
    private final long startNanos = System.nanoTime();

    private Channel channel;
    private StringBuilder reply;
    private ScheduledFuture<?> replyTimer;
    private boolean finished;

    private CheckProbe(HealthCheck check, byte[] request, long timeoutNanos, Consumer<CheckResult> done) {
        this.check = check;
        this.request = request;
        this.timeoutNanos = timeoutNanos;
        this.done = done;
    }

    /**
     * Starts a check. Call on the bootstrap's event loop.
     *
     * @param bootstrap group, channel type and options (CONNECT_TIMEOUT_MILLIS = the check timeout)
     * @param request   bytes to write once connected, or null for a layer 4 check
     * @return the check's channel, to close it early when the monitor stops
     */
    static Channel run(Bootstrap bootstrap, SocketAddress remote, HealthCheck check, byte[] request,
                       long timeoutNanos, Consumer<CheckResult> done) {
        CheckProbe probe = new CheckProbe(check, request, timeoutNanos, done);
        ChannelFuture f = bootstrap.clone().handler(probe).connect(remote);
        probe.channel = f.channel();
        f.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                probe.finish(connectFailure(cf.cause(), timeoutNanos));
            }
        });
        return f.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (request == null) {
            finish(result(CheckCode.L4OK, ""));
            return;
        }
        long left = Math.max(TimeUnit.MILLISECONDS.toNanos(1), timeoutNanos - (System.nanoTime() - startNanos));
        replyTimer = ctx.executor().schedule(this::timedOut, left, TimeUnit.NANOSECONDS);
        if (request.length > 0) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (finished) {
                return;
            }
            if (reply == null) {
                reply = new StringBuilder(Math.min(HealthCheck.REPLY_LIMIT, Math.max(64, buf.readableBytes())));
            }
            int n = Math.min(buf.readableBytes(), HealthCheck.REPLY_LIMIT - reply.length());
            for (int i = 0; i < n; i++) {
                reply.append((char) (buf.getByte(buf.readerIndex() + i) & 0xff));
            }
            boolean full = reply.length() >= HealthCheck.REPLY_LIMIT;
            CheckResult verdict = check.judge(reply, full);
            if (verdict != null) {
                finish(verdict);
            }
        } finally {
            buf.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            finish(hasReply() ? check.judge(reply, true)
                    : result(CheckCode.L7RSP, "connection closed without a reply"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!finished) {
            finish(hasReply() ? check.judge(reply, true) : result(CheckCode.L4CON, osMessage(cause)));
        }
    }

    private void timedOut() {
        if (!finished) {
            finish(hasReply() ? check.judge(reply, true)
                    : result(CheckCode.L7TOUT, "no reply within " + Durations.format(timeoutNanos)));
        }
    }

    private boolean hasReply() {
        return reply != null && reply.length() > 0;
    }

    private void finish(CheckResult result) {
        if (finished) {
            return;
        }
        finished = true;
        if (replyTimer != null) {
            replyTimer.cancel(false);
        }
        channel.close();
        done.accept(result);
    }

    static CheckResult connectFailure(Throwable cause, long timeoutNanos) {
        if (cause instanceof ConnectTimeoutException) {
            return result(CheckCode.L4TOUT, "no connection within " + Durations.format(timeoutNanos));
        }
        if (cause instanceof UnknownHostException) {
            return result(CheckCode.L4CON, "unknown host " + cause.getMessage());
        }
        return result(CheckCode.L4CON, osMessage(cause));
    }

    /**
     * The OS part of a socket error: "connection refused" from Netty's
     * "finishConnect(..) failed with error(-111): Connection refused" (epoll) or
     * "Connection refused: /127.0.0.1:9001" (NIO).
     */
    static String osMessage(Throwable cause) {
        String m = cause.getMessage();
        if (m == null || m.isEmpty()) {
            return cause.getClass().getSimpleName();
        }
        int failed = m.indexOf("failed");
        int colon = failed < 0 ? -1 : m.indexOf(": ", failed);
        if (colon >= 0) {
            m = m.substring(colon + 2);
        }
        int address = m.lastIndexOf(": ");
        if (address > 0 && m.indexOf('/', address) >= 0) {
            m = m.substring(0, address);
        }
        return m.isEmpty() ? m : m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }

    private static CheckResult result(CheckCode code, String detail) {
        return new CheckResult(code, detail, Instant.now());
    }
}
