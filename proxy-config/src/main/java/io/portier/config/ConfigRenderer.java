package io.portier.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link PortierConfig} back out as config: a tree with exactly the keys of {@code reference.conf}
 * and values in the forms {@link ConfigLoader} reads, so that parsing the output gives an equal config
 * (all but {@link PortierConfig#source()}). This is what {@code GET /api/v1/config} serves and what
 * {@code ./portier check --diff} parses back with {@code ConfigLoader.parse(json, "running config")}.
 *
 * <p>Every listener, pool and server is written in full with its effective values; the templates
 * ({@code listener-defaults}, {@code pool-defaults}, {@code server-defaults}) are not written. Values:
 * durations as strings with the largest exact unit ({@code "3s"}, {@code "500ms"}, {@code "1h"}); limits,
 * sizes and bandwidths as numbers (bytes) or {@code "unlimited"}; enums in their config spelling; booleans
 * as true/false; binds, server addresses and CIDRs as strings; {@code health.send} with its escapes
 * ({@code \r \n \t \\ \xHH}) written back; {@code workers} as the resolved number.
 *
 * <p>JSON is written by a small writer of our own ({@code Json}) rather than Typesafe Config's
 * {@code ConfigValueFactory.fromAnyRef(tree).render(...)}: that renderer sorts object keys, which would
 * lose the file order of listeners, pools and keys that this tree keeps, and proxy-config takes no JSON
 * library. JSON is valid HOCON, so the loader reads the output directly.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigRenderer {
    /** What {@code admin.token} shows when secrets are redacted and a token is set. */
    public static final String REDACTED = "<redacted>";

    private ConfigRenderer() {}

    /**
     * The config as nested {@link LinkedHashMap}s and {@link List}s of strings, numbers ({@code Integer} or
     * {@code Long}) and booleans, rooted at {@code "portier"}, in file order.
     *
     * @param redactSecrets when true, a set {@code admin.token} is {@value #REDACTED}; an unset one is
     *                      written as {@code ""} either way
     */
    public static Map<String, Object> toTree(PortierConfig config, boolean redactSecrets) {
        Map<String, Object> portier = new LinkedHashMap<>();
        portier.put("workers", config.workers());
        portier.put("transport", Scalars.kebab(config.transport()));
        portier.put("admin", admin(config.admin(), redactSecrets));
        Map<String, Object> listeners = new LinkedHashMap<>();
        config.listeners().forEach((name, l) -> listeners.put(name, listener(l)));
        portier.put("listeners", listeners);
        Map<String, Object> pools = new LinkedHashMap<>();
        config.pools().forEach((name, p) -> pools.put(name, pool(p)));
        portier.put("pools", pools);
        AccessLogConfig log = config.accessLog();
        portier.put("access-log", object(
                "enabled", log.enabled(),
                "format", Scalars.kebab(log.format()),
                "destination", log.destination()));
        portier.put("reload", object(
                "watch", config.reload().watch(),
                "settle", Durations.format(config.reload().settle())));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("portier", portier);
        return root;
    }

    /** {@link #toTree} as compact JSON text. */
    public static String toJson(PortierConfig config, boolean redactSecrets) {
        return Json.write(toTree(config, redactSecrets));
    }

    private static Map<String, Object> admin(AdminConfig admin, boolean redactSecrets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bind", admin.bind().toString());
        // An unset token is written as "" (which reads back as unset), so that parsing the output in
        // a shell with PORTIER_ADMIN_TOKEN set does not fill it from the environment.
        m.put("token", admin.token().map(token -> redactSecrets ? REDACTED : token).orElse(""));
        return m;
    }

    private static Map<String, Object> listener(ListenerConfig l) {
        LimitsConfig limits = l.limits();
        LimitsConfig.PerSource perSource = limits.perSource();
        return object(
                "bind", strings(l.binds()),
                "pool", l.pool(),
                "reuse-port", l.reusePort(),
                "backlog", l.backlog(),
                "tcp-keepalive", l.tcpKeepAlive(),
                "splice", l.splice(),
                "access", object(
                        "allow", strings(l.access().allow()),
                        "deny", strings(l.access().deny())),
                "limits", object(
                        "max-connections", limit(limits.maxConnections()),
                        "connection-rate", limit(limits.connectionRate()),
                        "connection-burst", limits.connectionBurst(),
                        "per-source", object(
                                "max-connections", limit(perSource.maxConnections()),
                                "connection-rate", limit(perSource.connectionRate()),
                                "tracked-sources", perSource.trackedSources()),
                        "bandwidth", object(
                                "port", limit(limits.bandwidth().port()),
                                "connection", limit(limits.bandwidth().connection())),
                        "on-limit", Scalars.kebab(limits.onLimit())),
                "timeouts", object(
                        "connect", Durations.format(l.timeouts().connect()),
                        "idle", Durations.format(l.timeouts().idle()),
                        "drain", Durations.format(l.timeouts().drain())),
                "proxy-protocol", object(
                        "send", Scalars.kebab(l.proxyProtocol().send()),
                        "accept", Scalars.kebab(l.proxyProtocol().accept())));
    }

    private static Map<String, Object> pool(PoolConfig p) {
        List<Object> servers = new ArrayList<>();
        for (ServerConfig s : p.servers()) {
            servers.add(object(
                    "name", s.name(),
                    "address", s.address(),
                    "weight", s.weight(),
                    "backup", s.backup(),
                    "max-connections", limit(s.maxConnections())));
        }
        HealthConfig h = p.health();
        HealthConfig.Http http = h.http();
        return object(
                "balance", p.balance().configName(),
                "retries", p.retries(),
                "servers", servers,
                "health", object(
                        "type", Scalars.kebab(h.type()),
                        "interval", Durations.format(h.interval()),
                        "timeout", Durations.format(h.timeout()),
                        "rise", h.rise(),
                        "fall", h.fall(),
                        "send", Escapes.encode(h.send()),
                        "expect", h.expect(),
                        "http", object(
                                "path", http.path(),
                                "expect-status", http.expectStatusLow() == http.expectStatusHigh()
                                        ? Integer.toString(http.expectStatusLow())
                                        : http.expectStatusLow() + "-" + http.expectStatusHigh(),
                                "host", http.host()),
                        "passive", object(
                                "consecutive-failures", h.passive().consecutiveFailures(),
                                "ejection", Durations.format(h.passive().ejection()))),
                "slow-start", Durations.format(p.slowStart()),
                "on-server-down", Scalars.kebab(p.onServerDown()));
    }

    /** A count or a size in bytes, or "unlimited". */
    private static Object limit(long n) {
        return n == LimitsConfig.UNLIMITED ? Limits.WORD : (Object) n;
    }

    private static List<Object> strings(List<?> items) {
        List<Object> out = new ArrayList<>(items.size());
        items.forEach(item -> out.add(item.toString()));
        return out;
    }

    /** An ordered map from alternating keys and values. */
    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
