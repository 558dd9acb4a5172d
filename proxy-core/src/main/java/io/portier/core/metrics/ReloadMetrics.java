package io.portier.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLong;

/** {@code portier_config_reloads_total{result}} and {@code portier_config_generation}. */
public final class ReloadMetrics {
    private final AtomicLong generation = new AtomicLong(1);
    private final Counter ok;
    private final Counter rejected;

    public ReloadMetrics(MeterRegistry registry) {
        Gauge.builder(MetricNames.CONFIG_GENERATION, generation, AtomicLong::get)
                .description("Config generation: 1 at start, +1 for each applied reload").register(registry);
        ok = Counter.builder(MetricNames.CONFIG_RELOADS).tag(MetricNames.TAG_RESULT, "ok")
                .description("Config reloads, applied or rejected").register(registry);
        rejected = Counter.builder(MetricNames.CONFIG_RELOADS).tag(MetricNames.TAG_RESULT, "rejected")
                .description("Config reloads, applied or rejected").register(registry);
    }

    /** Counts an applied reload and returns the new generation. */
    public long applied() {
        ok.increment();
        return generation.incrementAndGet();
    }

    public void rejected() {
        rejected.increment();
    }

    public long generation() {
        return generation.get();
    }
}
