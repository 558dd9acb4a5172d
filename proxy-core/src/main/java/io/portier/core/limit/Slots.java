package io.portier.core.limit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** Bounded counters: take a slot only while fewer than the bound are taken (no overshoot). */
final class Slots {
    private Slots() {}

    static boolean tryTake(AtomicInteger count, long max) {
        for (;;) {
            int n = count.get();
            if (n >= max) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    static <T> boolean tryTake(AtomicIntegerFieldUpdater<T> count, T holder, long max) {
        for (;;) {
            int n = count.get(holder);
            if (n >= max) {
                return false;
            }
            if (count.compareAndSet(holder, n, n + 1)) {
                return true;
            }
        }
    }
}
