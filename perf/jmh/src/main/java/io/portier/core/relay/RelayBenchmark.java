package io.portier.core.relay;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portier.config.ConfigLoader;
import io.portier.config.PortierConfig;
import io.portier.config.ServerConfig;
import io.portier.core.limit.RejectionLog;
import io.portier.core.listener.ListenerPort;
import io.portier.core.log.AccessLog;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import io.portier.core.transport.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay's read/write cycle, one read batch of {@code size} bytes: a buffer read on one side goes
 * through {@link FrontendHandler} (or {@link BackendHandler}) to the other side's outbound queue,
 * flushed once per batch, with the byte counters published, and is released there.
 *
 * <p>How it is driven: both sides are {@link EmbeddedChannel}s. {@link FrontendHandler} connects its
 * backend itself with a {@code Bootstrap} on a real transport, which an embedded event loop cannot
 * register, so the benchmark skips {@code channelActive} (accept, server pick, connect) and wires an
 * already "connected" pair: it sets the handler's {@code frontend} and {@code backend} fields and adds
 * the handlers to channels that are already active. Everything per read and per read batch is
 * Portier's code; accept and connect are measured by the kit's conn-churn workload instead.
 *
 * <p>{@code baseline*} runs the same cycle through the smallest possible relay handler (write to the
 * other channel, flush on read complete), so the difference is what Portier adds per batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RelayBenchmark {

    @Param({"64", "16384"})
    public int size;

    private EmbeddedChannel frontend;
    private EmbeddedChannel backend;
    private EmbeddedChannel baseFrontend;
    private EmbeddedChannel baseBackend;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        PortierConfig config = ConfigLoader.parse("""
                portier.listeners.bench { bind = "127.0.0.1:1", pool = p }
                portier.pools.p { servers = [{ name = s, address = "127.0.0.1:9000" }], health.type = none }
                portier.access-log.enabled = off
                """, "jmh");
        ServerConfig sc = config.pools().get("p").servers().get(0);
        Pool pool = new Pool(config.pools().get("p"),
                List.of(new Server("p", sc, Duration.ZERO, true, System::nanoTime)));
        ListenerPort port = new ListenerPort("bench", 1,
                new ListenerPort.Route(config.listeners().get("bench"), pool),
                new PortMetrics(new SimpleMeterRegistry(), "bench", 1),
                new AccessLog(config.accessLog()), Transport.nio(), new RejectionLog("bench"));

        FrontendHandler relay = new FrontendHandler(port);
        frontend = new EmbeddedChannel();
        backend = new EmbeddedChannel();
        set(relay, "frontend", frontend);
        set(relay, "backend", backend);
        frontend.pipeline().addLast(PipelineNames.FRONTEND, relay);
        backend.pipeline().addLast(new BackendHandler(relay));

        baseFrontend = new EmbeddedChannel();
        baseBackend = new EmbeddedChannel();
        baseFrontend.pipeline().addLast(new MinimalRelay(baseBackend));
        baseBackend.pipeline().addLast(new MinimalRelay(baseFrontend));
    }

    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frontend.finishAndReleaseAll();
        backend.finishAndReleaseAll();
        baseFrontend.finishAndReleaseAll();
        baseBackend.finishAndReleaseAll();
    }

    private ByteBuf read() {
        // what a read hands the pipeline: a fresh buffer from the channel's allocator
        ByteBuf buf = alloc.buffer(size);
        buf.writerIndex(size);
        return buf;
    }

    private static int drain(EmbeddedChannel ch) {
        ByteBuf out = ch.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    /** Client to server: frontend read, write to the backend, flush at read complete. */
    @Benchmark
    public int clientToServer() {
        frontend.writeInbound(read());
        return drain(backend);
    }

    /** Server to client: backend read, write to the frontend, flush at read complete. */
    @Benchmark
    public int serverToClient() {
        backend.writeInbound(read());
        return drain(frontend);
    }

    @Benchmark
    public int baselineClientToServer() {
        baseFrontend.writeInbound(read());
        return drain(baseBackend);
    }

    @Benchmark
    public int baselineServerToClient() {
        baseBackend.writeInbound(read());
        return drain(baseFrontend);
    }

    /** Netty's proxy example, minus everything optional: the floor for a relay on Netty. */
    private static final class MinimalRelay extends ChannelInboundHandlerAdapter {
        private final Channel other;

        MinimalRelay(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.write(msg, other.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            other.flush();
        }
    }
}
