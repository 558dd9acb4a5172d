package io.portier.core.limit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Warns about rejected connections at most once a second per listener, with how many there were:
 * {@code listener web port 8080: rejecting connections (rate); 153 in the last second}. The count
 * covers every port and reason of the listener since the previous line; the port and reason are
 * those of the rejection that wrote the line.
 *
 * <p>Thread-safety: any thread; a rejection costs one striped add and one volatile read unless it is
 * the one that writes the line.
 */
public final class RejectionLog {
    private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(1);

    private final String listener;
    private final LongSupplier clock;
    private final LongAdder count = new LongAdder();
    private final AtomicLong lastLine;

    public RejectionLog(String listener) {
        this(listener, System::nanoTime);
    }

    RejectionLog(String listener, LongSupplier clock) {
        this.listener = listener;
        this.clock = clock;
        this.lastLine = new AtomicLong(clock.getAsLong() - INTERVAL);
    }

    /** Counts one rejection on {@code port}; writes the line when the last one is a second old. */
    public void rejected(int port, Verdict verdict) {
        count(port, verdict, "rejecting connections");
    }

    /**
     * Counts one connection held by {@code on-limit = pause} (accepting on {@code port} stops until
     * a slot or token frees); same once-a-second line, as "pausing accepts".
     */
    public void held(int port, Verdict verdict) {
        count(port, verdict, "pausing accepts");
    }

    private void count(int port, Verdict verdict, String what) {
        count.increment();
        long now = clock.getAsLong();
        long last = lastLine.get();
        if (now - last >= INTERVAL && lastLine.compareAndSet(last, now)) {
            long n = count.sumThenReset();
            LOG.warn("listener {} port {}: {} ({}); {} in the last second",
                    listener, port, what, verdict.rejection().label(), n);
        }
    }
}
