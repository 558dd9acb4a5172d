package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.portier.config.PoolConfig;
import io.portier.core.Portier;
import io.portier.core.log.EndReason;
import io.portier.core.pool.AdminState;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import io.portier.core.relay.Relay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * {@code POST .../servers/{server}/state} and {@code PUT .../servers/{server}/weight}: operator changes
 * to a server. Both take effect for the next connection the balancer places; each is one log line
 * naming who asked. Answers with the server as {@code GET /api/v1/pools} shows it.
 */
final class ServerControl {
    private static final Logger LOG = LoggerFactory.getLogger(ServerControl.class);
    static final int MAX_WEIGHT = 256;

    private final Portier portier;
    private final MeterRegistry registry;

    ServerControl(Portier portier, MeterRegistry registry) {
        this.portier = portier;
        this.registry = registry;
    }

    /** Body {@code {"state": "ready" | "drain" | "maint"}}. */
    AdminResponse setState(AdminRequest request) {
        Pool pool = pool(request);
        Server s = server(pool, request);
        JsonNode value = Json.parseObject(request.body()).get("state");
        AdminState state = value != null && value.isTextual() ? parseState(value.asText()) : null;
        if (state == null) {
            throw ApiException.badRequest("state: " + describe(value) + " (expected: ready, drain or maint)");
        }
        AdminState before = s.adminState();
        s.setAdminState(state);
        LOG.info("admin {} set {} state {} (was {})", request.remote(), s, state, before);
        if (state == AdminState.MAINT && before != AdminState.MAINT
                && pool.config().onServerDown() == PoolConfig.OnServerDown.CLOSE) {
            closeLive(s);
        }
        return AdminResponse.json(PoolsView.server(s, registry));
    }

    /** Body {@code {"weight": N}}, N in 0-256; 0 takes the server out of rotation. */
    AdminResponse setWeight(AdminRequest request) {
        Server s = server(pool(request), request);
        JsonNode value = Json.parseObject(request.body()).get("weight");
        if (value == null || !value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > MAX_WEIGHT) {
            throw ApiException.badRequest("weight: " + describe(value) + " (expected: an integer 0-" + MAX_WEIGHT + ")");
        }
        int weight = value.asInt();
        int before = s.weight();
        s.setWeightOverride(weight);
        LOG.info("admin {} set {} weight {} (was {})", request.remote(), s, weight, before);
        return AdminResponse.json(PoolsView.server(s, registry));
    }

    /** MAINT follows the pool's {@code on-server-down}: with {@code close}, its live connections end now. */
    private static void closeLive(Server s) {
        List<Channel> live = List.copyOf(s.connections());
        if (live.isEmpty()) {
            return;
        }
        for (Channel ch : live) {
            Relay.close(ch, EndReason.SERVER_DOWN.text());
        }
        LOG.info("{} in MAINT: closed {} live connection(s) (on-server-down = close)", s, live.size());
    }

    private Pool pool(AdminRequest request) {
        String name = request.param(0);
        Pool pool = portier.pools().get(name);
        if (pool == null) {
            throw ApiException.notFound("pool: " + Json.abbreviate(name)
                    + " (expected: one of " + portier.pools().keySet() + ")");
        }
        return pool;
    }

    private static Server server(Pool pool, AdminRequest request) {
        String name = request.param(1);
        Server s = pool.server(name);
        if (s == null) {
            throw ApiException.notFound("server: " + Json.abbreviate(pool.name() + "/" + name)
                    + " (expected: one of " + pool.servers().stream().map(Server::name).toList() + ")");
        }
        return s;
    }

    private static AdminState parseState(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "ready" -> AdminState.READY;
            case "drain" -> AdminState.DRAIN;
            case "maint" -> AdminState.MAINT;
            default -> null;
        };
    }

    private static String describe(JsonNode value) {
        return value == null ? "missing" : Json.abbreviate(value.toString());
    }
}
