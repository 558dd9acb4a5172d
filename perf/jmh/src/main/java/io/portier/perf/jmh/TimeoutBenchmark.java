package io.portier.perf.jmh;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.portier.core.transport.LoopTimeouts;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A connection's timeout, started when it opens and stopped when it ends, with {@code live} other
 * connections' timeouts outstanding: each operation stops the oldest of them and starts a new one,
 * as connections of about the same life come and go.
 *
 * <ul>
 *   <li>{@code nettySchedule}: Netty's {@code schedule} and {@code cancel} on the loop's thread, a
 *       {@code ScheduledFutureTask} allocated and put into and taken out of the loop's task heap
 *       (what Portier used before {@link LoopTimeouts});</li>
 *   <li>{@code loopTimeouts}: {@link LoopTimeouts#start} and {@link LoopTimeouts.Timeout#stop} on a
 *       list the caller holds;</li>
 *   <li>{@code loopTimeoutsWithLookup}: the same with the list looked up for each start, as the
 *       relay does ({@link LoopTimeouts#on}). JMH's threads are not Netty's, so the lookup takes the
 *       slow path of {@code FastThreadLocal} (a {@code ThreadLocal}): an upper bound.</li>
 * </ul>
 * The executor is Netty's scheduling code with the benchmark's thread as its loop; nothing runs the
 * tasks (none falls due within a run).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TimeoutBenchmark {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Runnable NOTHING = () -> { };

    @Param({"50", "1000"})
    public int live;

    private OwnedExecutor loop;
    private ScheduledFuture<?>[] scheduled;
    private LoopTimeouts list;
    private Counted[] timeouts;
    private int next;

    /** A timeout that only counts its expiries (none come within a run). */
    static final class Counted extends LoopTimeouts.Timeout {
        long expired;

        @Override
        protected void expired() {
            expired++;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        loop = new OwnedExecutor(Thread.currentThread());
        scheduled = new ScheduledFuture<?>[live];
        timeouts = new Counted[live];
        list = LoopTimeouts.on(loop, TIMEOUT_NANOS);
        for (int i = 0; i < live; i++) {
            scheduled[i] = loop.schedule(NOTHING, TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            timeouts[i] = new Counted();
            list.start(timeouts[i]);
        }
    }

    private int slot() {
        int i = next;
        next = i + 1 == live ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public Object nettySchedule() {
        int i = slot();
        scheduled[i].cancel(false);
        return scheduled[i] = loop.schedule(NOTHING, TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public Object loopTimeouts() {
        Counted t = timeouts[slot()];
        t.stop();
        list.start(t);
        return t;
    }

    @Benchmark
    public Object loopTimeoutsWithLookup() {
        Counted t = timeouts[slot()];
        t.stop();
        LoopTimeouts.on(loop, TIMEOUT_NANOS).start(t);
        return t;
    }

    /** Netty's scheduling with {@code owner} as the loop thread; it runs nothing. */
    static final class OwnedExecutor extends AbstractScheduledEventExecutor {
        private final Thread owner;

        OwnedExecutor(Thread owner) {
            this.owner = owner;
        }

        @Override
        public boolean inEventLoop(Thread thread) {
            return thread == owner;
        }

        @Override
        public void execute(Runnable command) {
            throw new UnsupportedOperationException("the benchmark's executor runs nothing");
        }

        @Override
        public boolean isShuttingDown() {
            return false;
        }

        @Override
        public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
            return terminationFuture();
        }

        @Override
        public Future<?> terminationFuture() {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        }

        @Override
        @Deprecated
        public void shutdown() {
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    }
}
