package io.portier.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.portier.core.pool.Server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The relay's meters of one server: live connections, connect failures and connect time. */
public final class ServerMetrics {
    private final MeterRegistry registry;
    private final Counter connectFailures;
    private final Timer connectTime;
    private final List<Meter> meters;

    public ServerMetrics(MeterRegistry registry, Server server) {
        this.registry = registry;
        Tags tags = Tags.of(MetricNames.TAG_POOL, server.pool(), MetricNames.TAG_SERVER, server.name());
        Gauge active = Gauge.builder(MetricNames.SERVER_CONNECTIONS_ACTIVE, server, Server::active)
                .description("Live backend connections to the server").tags(tags).register(registry);
        connectFailures = Counter.builder(MetricNames.SERVER_CONNECT_FAILURES)
                .description("Backend connects that failed (refused, timed out, unreachable)")
                .tags(tags).register(registry);
        connectTime = Timer.builder(MetricNames.SERVER_CONNECT_SECONDS)
                .description("Time to establish backend connections")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .tags(tags).register(registry);
        meters = List.of(active, connectFailures, connectTime);
    }

    public void connectFailed() {
        connectFailures.increment();
    }

    public void connected(long nanos) {
        connectTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void remove() {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
