package io.portier.core.relay;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code timeouts.idle} for one connection: fires once no bytes have moved in either direction for
 * the timeout. One scheduled task per connection, rescheduled for the time left when there was
 * activity, instead of Netty's IdleStateHandler, which allocates a promise listener per write.
 *
 * <p>Thread: the connection's event loop; {@link #touch()} is a field write per read batch.
 */
final class IdleTimer {
    private final EventLoop loop;
    private final long idleNanos;
    private final Runnable onIdle;
    private long lastActivityNanos;
    private ScheduledFuture<?> task;

    IdleTimer(EventLoop loop, Duration idle, Runnable onIdle) {
        this.loop = loop;
        this.idleNanos = idle.toNanos();
        this.onIdle = onIdle;
        this.lastActivityNanos = System.nanoTime();
    }

    void start() {
        if (idleNanos > 0 && task == null) {
            task = loop.schedule(this::check, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Bytes moved now. */
    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
        }
    }

    private void check() {
        long quiet = System.nanoTime() - lastActivityNanos;
        if (quiet >= idleNanos) {
            onIdle.run();
        } else {
            task = loop.schedule(this::check, idleNanos - quiet, TimeUnit.NANOSECONDS);
        }
    }
}
