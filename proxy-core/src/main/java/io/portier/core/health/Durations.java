package io.portier.core.health;

import java.time.Duration;

/** Durations as the config writes them, for log lines and details: {@code 500ms}, {@code 2s}, {@code 1.5s}. */
final class Durations {
    private Durations() {
    }

    static String format(Duration d) {
        return format(d.toNanos());
    }

    static String format(long nanos) {
        long ms = nanos / 1_000_000;
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return (ms / 100) / 10.0 + "s";
    }
}
