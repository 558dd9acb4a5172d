package io.portier.core.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The meters of one server's health, with the names and labels of the contract. The Prometheus
 * registry renders {@code portier.server.up} as {@code portier_server_up} and the counter
 * {@code portier.health.checks} as {@code portier_health_checks_total}.
 *
 * <p>During a reload the monitors of the old and the new pool may live side by side with the same
 * pool and server names. Their meters are counted by id: a counter is shared (it keeps counting
 * across the reload), the gauge follows the newest server object, and a meter is removed when the
 * last monitor using it closes.
 */
final class HealthMetrics {
    static final String SERVER_UP = io.portier.core.metrics.MetricNames.SERVER_UP;
    static final String CHECKS = io.portier.core.metrics.MetricNames.HEALTH_CHECKS;
    static final String TAG_POOL = "pool";
    static final String TAG_SERVER = "server";
    static final String TAG_RESULT = "result";
    static final String RESULT_OK = "ok";
    static final String RESULT_FAIL = "fail";

    /** Monitors using each meter, per registry. Guarded by itself. */
    private static final Map<MeterRegistry, Map<Meter.Id, Integer>> USERS = new WeakHashMap<>();

    private final MeterRegistry registry;
    private final Counter ok;
    private final Counter fail;
    private final Gauge up;

    HealthMetrics(MeterRegistry registry, Server server) {
        this.registry = registry;
        Tags tags = Tags.of(TAG_POOL, server.pool(), TAG_SERVER, server.name());
        synchronized (USERS) {
            Gauge old = registry.find(SERVER_UP).tags(tags).gauge();
            if (old != null) {
                registry.remove(old); // the newest server object is the one to report
            }
            this.up = Gauge.builder(SERVER_UP, server, s -> s.state() == ServerState.UP ? 1 : 0)
                    .description("1 when the server is UP (takes new connections), else 0")
                    .tags(tags)
                    .strongReference(true)
                    .register(registry);
            this.ok = counter(registry, tags, RESULT_OK);
            this.fail = counter(registry, tags, RESULT_FAIL);
            Map<Meter.Id, Integer> users = USERS.computeIfAbsent(registry, r -> new HashMap<>());
            for (Meter m : new Meter[] {up, ok, fail}) {
                users.merge(m.getId(), 1, Integer::sum);
            }
        }
    }

    private static Counter counter(MeterRegistry registry, Tags tags, String result) {
        return Counter.builder(CHECKS)
                .description("Active health checks run, by result")
                .tags(tags).tag(TAG_RESULT, result)
                .register(registry);
    }

    /** Counts one finished active check. Any thread. */
    void check(boolean passed) {
        (passed ? ok : fail).increment();
    }

    /** Removes the meters no other monitor uses. Call once. */
    void remove() {
        synchronized (USERS) {
            Map<Meter.Id, Integer> users = USERS.getOrDefault(registry, Map.of());
            for (Meter m : new Meter[] {up, ok, fail}) {
                Integer left = users.computeIfPresent(m.getId(), (id, n) -> n > 1 ? n - 1 : null);
                if (left == null) {
                    registry.remove(m.getId());
                }
            }
        }
    }
}
