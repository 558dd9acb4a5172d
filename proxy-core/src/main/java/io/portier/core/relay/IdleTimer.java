package io.portier.core.relay;

import io.netty.channel.EventLoop;
import io.portier.core.transport.LoopTimeouts;

import java.time.Duration;

/**
 * {@code timeouts.idle} for one connection: fires once no bytes have moved in either direction for
 * at least the timeout, and at most an eighth of it more. Instead of Netty's IdleStateHandler (a
 * promise listener per write) and of reading the clock per read batch: {@link #touch()} sets a flag,
 * and a check every eighth of the timeout turns the flag into "quiet since this check". Activity is
 * only ever dated later than it happened, so the timer never fires early; it fires late by at most
 * one check interval. The checks are a {@link LoopTimeouts.Timeout} on the loop's list for that
 * interval: starting and cancelling one costs no task; a busy connection costs one expiry per eighth
 * of the timeout (every 7.5 minutes for the default 1h), a read batch a field write.
 *
 * <p>Thread: the connection's event loop (where it is made, too).
 */
final class IdleTimer extends LoopTimeouts.Timeout {
    /** Checks per timeout: the most the timer may fire late, as a fraction of the timeout. */
    static final int CHECKS_PER_TIMEOUT = 8;

    private final long idleNanos;
    /** The loop's list of check-interval timeouts; null when the timeout is off (0). */
    private final LoopTimeouts checks;
    private final Runnable onIdle;
    /** Bytes moved since the last check. */
    private boolean touched;
    /** When the last check that saw activity ran (or the timer started). */
    private long quietSinceNanos;
    private boolean begun;

    IdleTimer(EventLoop loop, Duration idle, Runnable onIdle) {
        this.idleNanos = idle.toNanos();
        this.checks = idleNanos > 0 ? LoopTimeouts.on(loop, Math.max(1, idleNanos / CHECKS_PER_TIMEOUT)) : null;
        this.onIdle = onIdle;
    }

    /** Starts the checks; once only. */
    void start() {
        if (checks != null && !begun) {
            begun = true;
            quietSinceNanos = System.nanoTime();
            checks.start(this);
        }
    }

    /** Bytes moved now. */
    void touch() {
        touched = true;
    }

    void cancel() {
        stop();
    }

    @Override
    protected void expired() {
        long now = System.nanoTime();
        if (touched) {
            touched = false;
            quietSinceNanos = now;
        }
        if (now - quietSinceNanos >= idleNanos) {
            onIdle.run();
        } else {
            checks.start(this);
        }
    }
}
