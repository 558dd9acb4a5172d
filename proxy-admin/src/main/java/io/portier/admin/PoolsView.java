package io.portier.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portier.core.Portier;
import io.portier.core.health.CheckResult;
import io.portier.core.metrics.MetricNames;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;

/**
 * {@code GET /api/v1/pools}: each pool with its servers: state, last check, weights and counters.
 * Health check counts are read from the registry, where the health monitor counts them.
 */
final class PoolsView {
    private PoolsView() {}

    static ArrayNode render(Portier portier, MeterRegistry registry) {
        ArrayNode out = Json.array();
        for (Pool p : portier.pools().values()) {
            ObjectNode o = out.addObject();
            o.put("name", p.name());
            o.put("balance", p.config().balance().configName());
            o.put("health", p.config().health().type().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            o.put("up", p.upCount());
            ArrayNode servers = o.putArray("servers");
            for (Server s : p.servers()) {
                servers.add(server(s, registry));
            }
        }
        return out;
    }

    static ObjectNode server(Server s, MeterRegistry registry) {
        ObjectNode o = Json.object();
        o.put("name", s.name());
        o.put("address", s.config().address());
        o.put("state", s.state().name());
        o.put("admin_state", s.adminState().name());
        o.put("weight", s.weight());
        putEffectiveWeight(o, s.effectiveWeight());
        o.put("backup", s.backup());
        o.put("active", s.active());
        o.put("total", s.total());
        o.put("connect_failures", s.connectFailures());
        CheckResult c = s.lastCheck();
        ObjectNode check = o.putObject("check");
        check.put("code", c.code().name());
        check.put("detail", c.detail());
        if (c.at() == null) {
            check.putNull("at");
        } else {
            check.put("at", c.at().toString());
        }
        check.put("description", c.code().description());
        CheckResult failure = s.lastFailure();
        if (failure.at() == null) {
            check.putNull("last_error");
        } else {
            ObjectNode error = check.putObject("last_error");
            error.put("code", failure.code().name());
            error.put("detail", failure.detail());
            error.put("at", failure.at().toString());
        }
        check.put("ok", checkCount(registry, s, "ok"));
        check.put("fail", checkCount(registry, s, "fail"));
        return o;
    }

    /**
     * In the config's units: balancers see weights times {@link Server#WEIGHT_SCALE}; a whole weight is
     * written as an integer, a slow-start ramp as a fraction (0.44).
     */
    private static void putEffectiveWeight(ObjectNode o, int scaled) {
        if (scaled % Server.WEIGHT_SCALE == 0) {
            o.put("effective_weight", scaled / Server.WEIGHT_SCALE);
        } else {
            o.put("effective_weight", Math.round(scaled * 100.0 / Server.WEIGHT_SCALE) / 100.0);
        }
    }

    private static long checkCount(MeterRegistry registry, Server s, String result) {
        Counter c = registry.find(MetricNames.HEALTH_CHECKS)
                .tag(MetricNames.TAG_POOL, s.pool())
                .tag(MetricNames.TAG_SERVER, s.name())
                .tag(MetricNames.TAG_RESULT, result)
                .counter();
        return c == null ? 0 : (long) c.count();
    }
}
