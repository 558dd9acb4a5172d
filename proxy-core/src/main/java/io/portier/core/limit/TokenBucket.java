package io.portier.core.limit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket kept as one number, with no refill timer: the "theoretical arrival time" of the
 * generic cell rate algorithm (GCRA). The state is the instant at which the bucket would be full
 * again; taking a token pushes it one interval ({@code 1s / rate}) later, time pulls the bucket back
 * to full as it passes. A new bucket is full.
 *
 * <p>The parameters live here; the state is an {@link AtomicLong} the caller owns, so one set of
 * parameters serves a port's bucket and every per-source bucket alike.
 *
 * <p>Thread-safety: lock-free. Exact across threads: every token is one successful compare-and-set
 * on the state, so concurrent callers on all event loops share one rate with no per-loop split.
 * Precision: the interval is a whole number of nanoseconds, so a rate that does not divide 10^9 is
 * off by less than half a nanosecond per token (0.005% at 100,000/s); rates above 10^9/s act as
 * 10^9/s.
 */
final class TokenBucket {
    private static final long SECOND = 1_000_000_000L;

    private final long rate;
    private final long capacity;
    private final long interval;
    /** How far ahead of now the state may run: (capacity - 1) intervals. */
    private final long tolerance;
    private final LongSupplier clock;

    /**
     * @param rate     tokens per second, > 0
     * @param capacity tokens a full bucket holds (the burst), > 0
     * @param clock    monotonic nanoseconds ({@code System::nanoTime} in production)
     */
    TokenBucket(long rate, long capacity, LongSupplier clock) {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.rate = rate;
        this.capacity = capacity;
        this.interval = Math.max(1, (SECOND + rate / 2) / rate);
        long room = capacity - 1;
        // saturate: a burst so large that it overflows is a bucket that never runs dry in practice
        this.tolerance = room > Long.MAX_VALUE / 4 / interval ? Long.MAX_VALUE / 4 : room * interval;
        this.clock = clock;
    }

    /** The capacity a burst setting means: {@code burst}, or {@code rate / 10} when 0; at least 1. */
    static long capacity(long rate, long burst) {
        return Math.max(1, burst == 0 ? rate / 10 : burst);
    }

    long rate() {
        return rate;
    }

    long capacity() {
        return capacity;
    }

    /** A full bucket's state. */
    AtomicLong newState() {
        return new AtomicLong(clock.getAsLong());
    }

    /** Takes one token if there is one. A refusal is one volatile read and no write. */
    boolean tryAcquire(AtomicLong state) {
        for (;;) {
            long now = clock.getAsLong();
            long tat = state.get();
            long base = tat - now > 0 ? tat : now;
            if (base - now > tolerance) {
                return false;
            }
            if (state.compareAndSet(tat, base + interval)) {
                return true;
            }
        }
    }

    /**
     * Gives back a token taken by {@link #tryAcquire} (the connection was rejected by a later check).
     * If the bucket has refilled since, the refund is absorbed: a bucket never holds more than its
     * capacity.
     */
    void refund(AtomicLong state) {
        state.addAndGet(-interval);
    }

    /** Nanoseconds until a token is available; 0 when one is now. */
    long nanosUntilToken(AtomicLong state) {
        long wait = state.get() - clock.getAsLong() - tolerance;
        return Math.max(0, wait);
    }

    /** Same rate and capacity: a reload can keep the state. */
    boolean sameAs(long otherRate, long otherCapacity) {
        return rate == otherRate && capacity == otherCapacity;
    }
}
