package io.portier.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portier.config.AccessConfig;
import io.portier.config.BindAddress;
import io.portier.config.HealthConfig;
import io.portier.config.LimitsConfig;
import io.portier.config.ListenerConfig;
import io.portier.config.PoolConfig;
import io.portier.config.PortierConfig;
import io.portier.config.ServerConfig;

import java.time.Duration;
import java.util.Locale;

/**
 * {@code GET /api/v1/config}: the effective config, keyed as in the config file (so it reads like a
 * resolved {@code portier { ... }} block). Durations are written as the file writes them
 * ({@code "2s"}), unlimited values as {@code "unlimited"}, the admin token as {@code "<redacted>"}.
 */
final class ConfigView {
    static final String REDACTED = "<redacted>";

    private ConfigView() {}

    static ObjectNode render(PortierConfig c) {
        ObjectNode root = Json.object();
        ObjectNode p = root.putObject("portier");
        p.put("source", c.source().map(Object::toString).orElse(null));
        p.put("workers", c.workers());
        p.put("transport", lower(c.transport()));
        ObjectNode admin = p.putObject("admin");
        admin.put("bind", c.admin().bind().toString());
        admin.put("token", c.admin().token().isPresent() ? REDACTED : null);
        ObjectNode listeners = p.putObject("listeners");
        for (ListenerConfig l : c.listeners().values()) {
            listeners.set(l.name(), listener(l));
        }
        ObjectNode pools = p.putObject("pools");
        for (PoolConfig pc : c.pools().values()) {
            pools.set(pc.name(), pool(pc));
        }
        ObjectNode log = p.putObject("access-log");
        log.put("enabled", c.accessLog().enabled());
        log.put("format", lower(c.accessLog().format()));
        log.put("destination", c.accessLog().destination());
        ObjectNode reload = p.putObject("reload");
        reload.put("watch", c.reload().watch());
        reload.put("settle", duration(c.reload().settle()));
        return root;
    }

    private static ObjectNode listener(ListenerConfig l) {
        ObjectNode o = Json.object();
        ArrayNode binds = o.putArray("bind");
        for (BindAddress b : l.binds()) {
            binds.add(b.toString());
        }
        o.put("pool", l.pool());
        o.put("reuse-port", l.reusePort());
        o.put("backlog", l.backlog());
        AccessConfig a = l.access();
        ObjectNode access = o.putObject("access");
        access.set("allow", Json.strings(a.allow().stream().map(String::valueOf).toList()));
        access.set("deny", Json.strings(a.deny().stream().map(String::valueOf).toList()));
        LimitsConfig lim = l.limits();
        ObjectNode limits = o.putObject("limits");
        limit(limits, "max-connections", lim.maxConnections());
        limit(limits, "connection-rate", lim.connectionRate());
        limits.put("connection-burst", lim.connectionBurst());
        ObjectNode src = limits.putObject("per-source");
        limit(src, "max-connections", lim.perSource().maxConnections());
        limit(src, "connection-rate", lim.perSource().connectionRate());
        src.put("tracked-sources", lim.perSource().trackedSources());
        ObjectNode bw = limits.putObject("bandwidth");
        limit(bw, "port", lim.bandwidth().port());
        limit(bw, "connection", lim.bandwidth().connection());
        limits.put("on-limit", lower(lim.onLimit()));
        ObjectNode t = o.putObject("timeouts");
        t.put("connect", duration(l.timeouts().connect()));
        t.put("idle", duration(l.timeouts().idle()));
        t.put("drain", duration(l.timeouts().drain()));
        ObjectNode pp = o.putObject("proxy-protocol");
        pp.put("send", lower(l.proxyProtocol().send()));
        pp.put("accept", lower(l.proxyProtocol().accept()));
        return o;
    }

    private static ObjectNode pool(PoolConfig pc) {
        ObjectNode o = Json.object();
        o.put("balance", pc.balance().configName());
        o.put("retries", pc.retries());
        ArrayNode servers = o.putArray("servers");
        for (ServerConfig s : pc.servers()) {
            ObjectNode so = servers.addObject();
            so.put("name", s.name());
            so.put("address", s.address());
            so.put("weight", s.weight());
            so.put("backup", s.backup());
            limit(so, "max-connections", s.maxConnections());
        }
        HealthConfig h = pc.health();
        ObjectNode health = o.putObject("health");
        health.put("type", lower(h.type()));
        health.put("interval", duration(h.interval()));
        health.put("timeout", duration(h.timeout()));
        health.put("rise", h.rise());
        health.put("fall", h.fall());
        health.put("send", h.send());
        health.put("expect", h.expect());
        ObjectNode http = health.putObject("http");
        http.put("path", h.http().path());
        http.put("expect-status", h.http().expectStatusLow() + "-" + h.http().expectStatusHigh());
        http.put("host", h.http().host());
        ObjectNode passive = health.putObject("passive");
        passive.put("consecutive-failures", h.passive().consecutiveFailures());
        passive.put("ejection", duration(h.passive().ejection()));
        o.put("slow-start", duration(pc.slowStart()));
        o.put("on-server-down", lower(pc.onServerDown()));
        return o;
    }

    private static void limit(ObjectNode o, String key, long value) {
        if (value == LimitsConfig.UNLIMITED) {
            o.put(key, "unlimited");
        } else {
            o.put(key, value);
        }
    }

    /** {@code send-expect}, {@code round-robin}: the config file's spelling of an enum constant. */
    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    private static final String[] UNIT_NAMES = {"d", "h", "m", "s"};

    /** In the largest whole unit: 1h, 30s, 500ms, 0s. */
    static String duration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        long ms = d.toMillis();
        for (int i = 0; i < UNIT_MILLIS.length; i++) {
            if (ms % UNIT_MILLIS[i] == 0) {
                return ms / UNIT_MILLIS[i] + UNIT_NAMES[i];
            }
        }
        return ms + "ms";
    }
}
