package io.portier.core.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portier.config.LimitsConfig;

import java.net.InetAddress;
import java.util.function.Function;

/**
 * Per-source state of one port: a {@link Source} per client address (IPv4) or /64 (IPv6), at most
 * {@code tracked-sources} of them.
 *
 * <p>Memory is bounded by a Caffeine cache of maximum size {@code tracked-sources}. Its eviction
 * (W-TinyLFU) forgets the least recently seen sources first, and also refuses to let a flood of
 * sources seen once push out sources seen often: a scan of spoofed or one-off clients cannot wipe
 * the counters of the busy ones. A forgotten source starts again from zero (full bucket, no
 * connections counted; its live connections still release to the old entry).
 *
 * <p>Thread-safety: Caffeine is concurrent; a lookup of a known source is lock-free. Cache
 * maintenance (eviction) runs on the calling thread, amortised, not on a shared pool.
 */
final class Sources {
    private final LimitsConfig.PerSource config;
    private final long maxConnections;
    /** Null when per-source rate is unlimited. */
    private final TokenBucket rate;
    private final Cache<SourceKey, Source> cache;
    private final Function<SourceKey, Source> create;

    Sources(LimitsConfig.PerSource config, java.util.function.LongSupplier clock) {
        this.config = config;
        this.maxConnections = config.maxConnections();
        this.rate = config.connectionRate() == LimitsConfig.UNLIMITED ? null
                : new TokenBucket(config.connectionRate(), TokenBucket.capacity(config.connectionRate(), 0), clock);
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.trackedSources())
                .executor(Runnable::run)
                .build();
        this.create = k -> new Source(rate == null ? null : rate.newState());
    }

    /** True when per-source limits need tracking at all. */
    static boolean needed(LimitsConfig.PerSource config) {
        return config.maxConnections() != LimitsConfig.UNLIMITED || config.connectionRate() != LimitsConfig.UNLIMITED;
    }

    LimitsConfig.PerSource config() {
        return config;
    }

    Source get(InetAddress client) {
        return cache.get(SourceKey.of(client), create);
    }

    Verdict tryAcquire(Source source) {
        return source.tryAcquire(maxConnections, rate);
    }

    void unwind(Source source) {
        source.unwind(rate);
    }

    /** Sources tracked now (an estimate while eviction is pending). */
    long size() {
        return cache.estimatedSize();
    }

    /** Runs pending evictions (tests). */
    void cleanUp() {
        cache.cleanUp();
    }
}
