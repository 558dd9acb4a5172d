package io.portier.core.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admission state of one client address (see {@link SourceKey}): live connections and a
 * connection-rate bucket. Kept small: there are up to {@code tracked-sources} of them per port.
 *
 * <p>Thread-safety: lock-free; shared by every event loop. An admitted connection keeps a reference
 * to its source and releases to it directly, so a source forgotten by the cache while it still has
 * connections is released correctly (a new entry for the same address then starts from zero).
 */
final class Source {
    private static final AtomicIntegerFieldUpdater<Source> CONNECTIONS =
            AtomicIntegerFieldUpdater.newUpdater(Source.class, "connections");

    private volatile int connections;
    /** Rate bucket state; null when per-source rate is unlimited. */
    private final AtomicLong bucket;

    Source(AtomicLong bucket) {
        this.bucket = bucket;
    }

    int connections() {
        return connections;
    }

    /**
     * Takes a token and a connection slot; on a refusal nothing is taken, and a refusal writes
     * nothing (the slot count is read first, a bucket refusal is a read).
     */
    Verdict tryAcquire(long maxConnections, TokenBucket rate) {
        if (connections >= maxConnections) {
            return Verdict.SOURCE_CONNECTIONS;
        }
        if (rate != null && !rate.tryAcquire(bucket)) {
            return Verdict.SOURCE_RATE;
        }
        if (!Slots.tryTake(CONNECTIONS, this, maxConnections)) {
            if (rate != null) {
                rate.refund(bucket);
            }
            return Verdict.SOURCE_CONNECTIONS;
        }
        return Verdict.ADMITTED;
    }

    /** Undoes {@link #tryAcquire}: a later check refused the connection. */
    void unwind(TokenBucket rate) {
        if (rate != null) {
            rate.refund(bucket);
        }
        CONNECTIONS.decrementAndGet(this);
    }

    void release() {
        CONNECTIONS.decrementAndGet(this);
    }
}
