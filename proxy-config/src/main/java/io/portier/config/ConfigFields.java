package io.portier.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Flattens the model into ordered maps of config key to value as written in a config file
 * ({@code limits.connection-rate -> "unlimited"}), which is what {@link ConfigDiff} compares and prints.
 * Secrets are never shown: the admin token appears as "set" or "unset".
 */
final class ConfigFields {
    private ConfigFields() {}

    static Map<String, String> global(PortierConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("workers", Integer.toString(c.workers()));
        m.put("transport", Scalars.kebab(c.transport()));
        m.put("admin.bind", c.admin().bind().toString());
        m.put("admin.token", c.admin().token().isPresent() ? "set" : "unset");
        m.put("access-log.enabled", onOff(c.accessLog().enabled()));
        m.put("access-log.format", Scalars.kebab(c.accessLog().format()));
        m.put("access-log.destination", c.accessLog().destination());
        m.put("reload.watch", onOff(c.reload().watch()));
        m.put("reload.settle", Durations.format(c.reload().settle()));
        return m;
    }

    static Map<String, String> listener(ListenerConfig l) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bind", list(l.binds()));
        m.put("pool", l.pool());
        m.put("reuse-port", onOff(l.reusePort()));
        m.put("backlog", Integer.toString(l.backlog()));
        m.put("tcp-keepalive", onOff(l.tcpKeepAlive()));
        m.put("splice", onOff(l.splice()));
        m.put("access.allow", list(l.access().allow()));
        m.put("access.deny", list(l.access().deny()));
        LimitsConfig limits = l.limits();
        m.put("limits.max-connections", Limits.format(limits.maxConnections()));
        m.put("limits.connection-rate", Limits.format(limits.connectionRate()));
        m.put("limits.connection-burst", Long.toString(limits.connectionBurst()));
        m.put("limits.per-source.max-connections", Limits.format(limits.perSource().maxConnections()));
        m.put("limits.per-source.connection-rate", Limits.format(limits.perSource().connectionRate()));
        m.put("limits.per-source.tracked-sources", Integer.toString(limits.perSource().trackedSources()));
        m.put("limits.bandwidth.port", Limits.format(limits.bandwidth().port()));
        m.put("limits.bandwidth.connection", Limits.format(limits.bandwidth().connection()));
        m.put("limits.on-limit", Scalars.kebab(limits.onLimit()));
        m.put("timeouts.connect", Durations.format(l.timeouts().connect()));
        m.put("timeouts.idle", Durations.format(l.timeouts().idle()));
        m.put("timeouts.drain", Durations.format(l.timeouts().drain()));
        m.put("proxy-protocol.send", Scalars.kebab(l.proxyProtocol().send()));
        m.put("proxy-protocol.accept", Scalars.kebab(l.proxyProtocol().accept()));
        return m;
    }

    /** A pool's own fields; its servers are compared one by one with {@link #server}. */
    static Map<String, String> pool(PoolConfig p) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("balance", p.balance().configName());
        m.put("retries", Integer.toString(p.retries()));
        HealthConfig h = p.health();
        m.put("health.type", Scalars.kebab(h.type()));
        m.put("health.interval", Durations.format(h.interval()));
        m.put("health.timeout", Durations.format(h.timeout()));
        m.put("health.rise", Integer.toString(h.rise()));
        m.put("health.fall", Integer.toString(h.fall()));
        m.put("health.send", Show.quoted(h.send()));
        m.put("health.expect", Show.quoted(h.expect()));
        m.put("health.http.path", h.http().path());
        m.put("health.http.expect-status", h.http().expectStatusLow() == h.http().expectStatusHigh()
                ? Integer.toString(h.http().expectStatusLow())
                : h.http().expectStatusLow() + "-" + h.http().expectStatusHigh());
        m.put("health.http.host", Show.quoted(h.http().host()));
        m.put("health.passive.consecutive-failures", Integer.toString(h.passive().consecutiveFailures()));
        m.put("health.passive.ejection", Durations.format(h.passive().ejection()));
        m.put("slow-start", Durations.format(p.slowStart()));
        m.put("on-server-down", Scalars.kebab(p.onServerDown()));
        return m;
    }

    static Map<String, String> server(ServerConfig s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("address", s.address());
        m.put("weight", Integer.toString(s.weight()));
        m.put("backup", onOff(s.backup()));
        m.put("max-connections", Limits.format(s.maxConnections()));
        return m;
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    private static String list(List<?> items) {
        return items.stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
