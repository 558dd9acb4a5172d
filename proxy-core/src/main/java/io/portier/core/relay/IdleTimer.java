package io.portier.core.relay;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code timeouts.idle} for one connection: fires once no bytes have moved in either direction for
 * at least the timeout, and at most an eighth of it more. Instead of Netty's IdleStateHandler (a
 * promise listener per write) and of reading the clock per read batch: {@link #touch()} sets a flag,
 * and one task per connection, every eighth of the timeout, turns the flag into "quiet since this
 * check". Activity is only ever dated later than it happened, so the timer never fires early; it
 * fires late by at most one check interval. A busy connection costs one scheduled task per eighth of
 * the timeout (every 7.5 minutes for the default 1h), a read batch a field write.
 *
 * <p>Thread: the connection's event loop.
 */
final class IdleTimer {
    /** Checks per timeout: the most the timer may fire late, as a fraction of the timeout. */
    static final int CHECKS_PER_TIMEOUT = 8;

    private final EventLoop loop;
    private final long idleNanos;
    private final long checkNanos;
    private final Runnable onIdle;
    /** Bytes moved since the last check. */
    private boolean touched;
    /** When the last check that saw activity ran (or the timer started). */
    private long quietSinceNanos;
    private ScheduledFuture<?> task;

    IdleTimer(EventLoop loop, Duration idle, Runnable onIdle) {
        this.loop = loop;
        this.idleNanos = idle.toNanos();
        this.checkNanos = Math.max(1, idleNanos / CHECKS_PER_TIMEOUT);
        this.onIdle = onIdle;
    }

    void start() {
        if (idleNanos > 0 && task == null) {
            quietSinceNanos = System.nanoTime();
            task = loop.schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Bytes moved now. */
    void touch() {
        touched = true;
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
        }
    }

    private void check() {
        long now = System.nanoTime();
        if (touched) {
            touched = false;
            quietSinceNanos = now;
        }
        long quiet = now - quietSinceNanos;
        if (quiet >= idleNanos) {
            onIdle.run();
        } else {
            task = loop.schedule(this::check, Math.min(checkNanos, idleNanos - quiet), TimeUnit.NANOSECONDS);
        }
    }
}
