package io.portier.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one frontend port of a listener. Created once per port; the relay updates them once
 * per connection and once per read batch (an add to a striped counter: no lock, no allocation).
 */
public final class PortMetrics {

    /** The contract's rejection reasons, as the {@code reason} label. */
    public enum Rejection {
        RATE("rate"),
        MAX_CONNECTIONS("max-connections"),
        SOURCE_RATE("source-rate"),
        SOURCE_CONNECTIONS("source-connections"),
        ACCESS("access"),
        NO_SERVER("no-server"),
        DRAINING("draining");

        private final String label;

        Rejection(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String listener;
    private final int port;
    private final MeterRegistry registry;
    private final AtomicLong active = new AtomicLong();
    private final Counter total;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
    private final List<Meter> meters = new ArrayList<>();

    public PortMetrics(MeterRegistry registry, String listener, int port) {
        this.registry = registry;
        this.listener = listener;
        this.port = port;
        Tags tags = Tags.of(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_PORT, Integer.toString(port));
        meters.add(Gauge.builder(MetricNames.LISTENER_CONNECTIONS_ACTIVE, active, AtomicLong::get)
                .description("Live frontend connections").tags(tags).register(registry));
        total = register(Counter.builder(MetricNames.LISTENER_CONNECTIONS)
                .description("Frontend connections accepted").tags(tags).register(registry));
        bytesIn = register(Counter.builder(MetricNames.LISTENER_BYTES).baseUnit("bytes")
                .description("Bytes relayed; in = from clients, out = to clients")
                .tags(tags).tag(MetricNames.TAG_DIRECTION, "in").register(registry));
        bytesOut = register(Counter.builder(MetricNames.LISTENER_BYTES).baseUnit("bytes")
                .description("Bytes relayed; in = from clients, out = to clients")
                .tags(tags).tag(MetricNames.TAG_DIRECTION, "out").register(registry));
        for (Rejection r : Rejection.values()) {
            rejected.put(r, register(Counter.builder(MetricNames.LISTENER_REJECTED)
                    .description("Frontend connections rejected, by reason")
                    .tags(tags).tag(MetricNames.TAG_REASON, r.label()).register(registry)));
        }
    }

    private Counter register(Counter c) {
        meters.add(c);
        return c;
    }

    public String listener() {
        return listener;
    }

    public int port() {
        return port;
    }

    public void connectionOpened() {
        active.incrementAndGet();
        total.increment();
    }

    public void connectionClosed() {
        active.decrementAndGet();
    }

    public void rejected(Rejection reason) {
        rejected.get(reason).increment();
    }

    public void bytesIn(long n) {
        bytesIn.increment(n);
    }

    public void bytesOut(long n) {
        bytesOut.increment(n);
    }

    public long active() {
        return active.get();
    }

    public long total() {
        return (long) total.count();
    }

    public long bytesIn() {
        return (long) bytesIn.count();
    }

    public long bytesOut() {
        return (long) bytesOut.count();
    }

    public long rejectedCount(Rejection reason) {
        return (long) rejected.get(reason).count();
    }

    /** Removes this port's meters from the registry (the port was unbound and drained). */
    public void remove() {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
