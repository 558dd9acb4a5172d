package io.portier.core.transport;

import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one length on one event loop, in a list kept in the order they were started, which
 * for timeouts of one length is the order they fall due. Starting or stopping one is a few field
 * writes: no task is allocated per timeout, nor put into and taken out of the loop's scheduled-task
 * heap (Netty's {@code schedule} and {@code cancel}: 5% of a conn-churn connection's own Java
 * in the profile, for its connect and idle timeouts). The list keeps one task scheduled, for its
 * earliest timeout; a timeout stopped before then costs that task nothing but its next look at the
 * head. nginx keeps its timers in a red-black tree and HAProxy in an ebtree, for any mix of lengths;
 * a proxy's timeouts come in a few lengths (one per configured setting), and one list per length
 * needs no ordering work at all.
 *
 * <p>Lists are made on first use and kept for the loop's life: one per length ever asked for, so a
 * reload that changes a timeout adds one (empty once the old connections are gone).
 *
 * <p>Thread: the event loop's. {@link #on} must be called on it, and a {@link Timeout} is started,
 * stopped and expired on it.
 */
public final class LoopTimeouts {
    private static final Logger LOG = LoggerFactory.getLogger(LoopTimeouts.class);
    private static final FastThreadLocal<LongObjectHashMap<LoopTimeouts>> LISTS = new FastThreadLocal<>() {
        @Override
        protected LongObjectHashMap<LoopTimeouts> initialValue() {
            return new LongObjectHashMap<>(4);
        }
    };

    private final EventExecutor loop;
    private final long nanos;
    private final Runnable expire = this::expire;
    private Timeout head;
    private Timeout tail;
    /** A task is scheduled: it will look at the head at the latest when the head falls due. */
    private boolean armed;

    private LoopTimeouts(EventExecutor loop, long nanos) {
        this.loop = loop;
        this.nanos = nanos;
    }

    /**
     * The list of {@code nanos}-long timeouts of {@code loop}, the calling thread's.
     *
     * @throws IllegalStateException when called from another thread
     * @throws IllegalArgumentException when {@code nanos} is not positive
     */
    public static LoopTimeouts on(EventExecutor loop, long nanos) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("timeouts of " + loop + " asked for from " + Thread.currentThread());
        }
        if (nanos <= 0) {
            throw new IllegalArgumentException("timeout length must be positive: " + nanos + " ns");
        }
        LongObjectHashMap<LoopTimeouts> lists = LISTS.get();
        LoopTimeouts list = lists.get(nanos);
        if (list == null) {
            list = new LoopTimeouts(loop, nanos);
            lists.put(nanos, list);
        }
        return list;
    }

    /**
     * Starts {@code timeout}: it expires this list's length from now, unless stopped first. A timeout
     * already started (here or on another list) starts again from now.
     */
    public void start(Timeout timeout) {
        timeout.stop();
        timeout.due = System.nanoTime() + nanos;
        timeout.list = this;
        timeout.prev = tail;
        if (tail == null) {
            head = timeout;
        } else {
            tail.next = timeout;
        }
        tail = timeout;
        if (!armed) {
            armed = true;
            loop.schedule(expire, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void unlink(Timeout t) {
        if (t.prev == null) {
            head = t.next;
        } else {
            t.prev.next = t.next;
        }
        if (t.next == null) {
            tail = t.prev;
        } else {
            t.next.prev = t.prev;
        }
        t.prev = t.next = null;
        t.list = null;
    }

    /** Expires what is due, in order, then waits for the next head. */
    private void expire() {
        armed = false;
        long now = System.nanoTime();
        Timeout t;
        // A timeout started again by its expired() goes to the tail, due a whole length from now:
        // the loop stops at it.
        while ((t = head) != null && t.due - now <= 0) {
            unlink(t);
            try {
                t.expired();
            } catch (Throwable e) {
                LOG.warn("timeout {} failed: {}", t, e.toString(), e);
            }
        }
        if (head != null) {
            armed = true;
            loop.schedule(expire, Math.max(0, head.due - now), TimeUnit.NANOSECONDS);
        }
    }

    /** One timeout, to be started on a {@link LoopTimeouts}: subclass it with what happens when due. */
    public abstract static class Timeout {
        private LoopTimeouts list;
        private Timeout prev;
        private Timeout next;
        private long due;

        /** Called on the loop when due; the timeout is stopped by then and may be started again. */
        protected abstract void expired();

        /** Started and not yet expired nor stopped. */
        public final boolean started() {
            return list != null;
        }

        /** Stops this timeout if started; it will not expire. */
        public final void stop() {
            if (list != null) {
                list.unlink(this);
            }
        }
    }
}
