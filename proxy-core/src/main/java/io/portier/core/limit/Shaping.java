package io.portier.core.limit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.concurrent.EventExecutor;
import io.portier.config.LimitsConfig;
import io.portier.core.relay.PipelineNames;

/**
 * {@code limits.bandwidth} of one frontend port: {@code connection} is a
 * {@link ChannelTrafficShapingHandler} per frontend connection, {@code port} one
 * {@link GlobalTrafficShapingHandler} shared by every connection of the port (created with the
 * first connection that needs it). Both shape the frontend in each direction: reads from the client
 * and writes to it, in bytes per second.
 *
 * <p>How it stays bounded: a shaper never drops or buffers reads; after a read that went over the
 * limit it turns auto-read off and schedules it back on, and while suspended it swallows
 * {@code read()} calls, so the relay turning auto-read on (its own backpressure) cannot override
 * it. Writes over the limit are queued by the shaper, which marks the channel unwritable past
 * {@code maxWriteSize} (4 MiB) or {@code maxWriteDelay} (4 s); the relay then stops reading the
 * backend, as for any slow client. One overlap: when the shaper's timer turns reads back on while
 * the relay's backpressure has them off, one more read batch comes in before the relay turns them
 * off again; that is bounded (one batch per shaping pause).
 *
 * <p>Half-close: the shaper's timer may turn reads back on after the client has half-closed. A read
 * requested on an epoll channel whose input is shut down fails in Netty 4.2 (epoll_ctl: ENOENT) and
 * closes the channel, dropping the writes the shaper still queues; so our shapers pass no read
 * request on once the input is shut down. And the relay's half-close ({@code Relay.shutdownOutput})
 * goes through the pipeline behind queued writes, so the FIN follows the last delayed byte.
 *
 * <p>Reload: a changed {@code port} rate applies at once to the shared handler; a changed
 * {@code connection} rate applies to new connections.
 *
 * <p>Thread-safety: {@link #install} runs on the connection's event loop; the shared handler is
 * created once under a lock (first use only) and is itself thread-safe.
 */
public final class Shaping {
    /** How often Netty's shapers recompute the rate, in ms: short, for an even flow. */
    private static final long CHECK_INTERVAL_MILLIS = 100;

    private volatile LimitsConfig.Bandwidth bandwidth;
    private volatile GlobalTrafficShapingHandler portShaper;

    public Shaping(LimitsConfig.Bandwidth bandwidth) {
        this.bandwidth = bandwidth;
    }

    /**
     * Adds the shapers the bandwidth settings call for, before the relay. On the channel's loop.
     *
     * @return whether a shaper was added: the relay then keeps every write to the client in the
     *         pipeline, and counts what the shapers hold as queued
     */
    public boolean install(ChannelPipeline pipeline) {
        LimitsConfig.Bandwidth bw = bandwidth;
        boolean shaped = false;
        if (bw.port() != LimitsConfig.UNLIMITED) {
            pipeline.addBefore(PipelineNames.FRONTEND, PipelineNames.PORT_SHAPING, portShaper(pipeline, bw.port()));
            shaped = true;
        }
        if (bw.connection() != LimitsConfig.UNLIMITED) {
            pipeline.addBefore(PipelineNames.FRONTEND, PipelineNames.CONNECTION_SHAPING,
                    new ConnectionShaper(bw.connection()));
            shaped = true;
        }
        return shaped;
    }

    private GlobalTrafficShapingHandler portShaper(ChannelPipeline pipeline, long limit) {
        GlobalTrafficShapingHandler s = portShaper;
        if (s == null) {
            synchronized (this) {
                s = portShaper;
                if (s == null) {
                    s = new PortShaper(pipeline.channel().eventLoop(), limit);
                    portShaper = s;
                }
            }
        }
        return s;
    }

    /** New settings from a reload. Any thread. */
    public void reconfigure(LimitsConfig.Bandwidth newBandwidth) {
        bandwidth = newBandwidth;
        GlobalTrafficShapingHandler s = portShaper;
        if (s != null) {
            long limit = newBandwidth.port() == LimitsConfig.UNLIMITED ? 0 : newBandwidth.port();
            s.configure(limit, limit);
        }
    }

    /** Stops the shared handler's accounting timer; call once the port's connections have ended. */
    public void close() {
        GlobalTrafficShapingHandler s = portShaper;
        if (s != null) {
            s.release();
        }
    }

    private static boolean inputShutdown(ChannelHandlerContext ctx) {
        return ctx.channel() instanceof DuplexChannel d && d.isInputShutdown();
    }

    /** {@code bandwidth.connection}: passes no read on after the input is shut down. */
    private static final class ConnectionShaper extends ChannelTrafficShapingHandler {
        ConnectionShaper(long limit) {
            super(limit, limit, CHECK_INTERVAL_MILLIS);
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (!inputShutdown(ctx)) {
                super.read(ctx);
            }
        }
    }

    /** {@code bandwidth.port}: passes no read on after the input is shut down. */
    private static final class PortShaper extends GlobalTrafficShapingHandler {
        PortShaper(EventExecutor executor, long limit) {
            super(executor, limit, limit, CHECK_INTERVAL_MILLIS);
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (!inputShutdown(ctx)) {
                super.read(ctx);
            }
        }
    }
}
