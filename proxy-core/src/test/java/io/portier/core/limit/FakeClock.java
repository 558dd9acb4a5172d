package io.portier.core.limit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nano clock that moves only when told to; starts at an arbitrary, negative value like nanoTime may. */
final class FakeClock implements LongSupplier {
    private final AtomicLong now = new AtomicLong(-5_000_000_000_000L);

    @Override
    public long getAsLong() {
        return now.get();
    }

    void advance(long amount, TimeUnit unit) {
        now.addAndGet(unit.toNanos(amount));
    }
}
