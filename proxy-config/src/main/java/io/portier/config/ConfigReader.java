package io.portier.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the merged {@code portier} object into the model, then checks across keys: each listener's pool
 * exists, no two binds take the same address and port, the admin API off loopback has a token.
 * Returns a config only when no problem was found.
 */
final class ConfigReader {
    private ConfigReader() {}

    static PortierConfig read(Node portier, Optional<Path> source, Problems problems) {
        int workers = portier.read("workers", ConfigReader::workers, 1);
        PortierConfig.Transport transport = portier.choice("transport", PortierConfig.Transport.class);

        Overlaps overlaps = new Overlaps();
        AdminConfig admin = admin(portier.child("admin"), overlaps);

        ConfigObject listenerDefaults = portier.template("listener-defaults");
        ConfigObject poolDefaults = portier.template("pool-defaults");
        ConfigObject serverDefaults = portier.template("server-defaults");

        // With a broken template every entry would report every key; the template's problem is enough.
        Map<String, Node> listenerNodes = listenerDefaults == null ? Map.of()
                : portier.entries("listeners", listenerDefaults, "portier.listener-defaults");
        Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
        listenerNodes.forEach((name, n) -> listeners.put(name, ListenerReader.read(name, n, overlaps)));

        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        boolean poolsRead = poolDefaults != null && serverDefaults != null;
        if (poolsRead) {
            portier.entries("pools", poolDefaults, "portier.pool-defaults")
                    .forEach((name, n) -> pools.put(name, PoolReader.read(name, n, serverDefaults)));
        }

        Node log = portier.child("access-log");
        AccessLogConfig accessLog = new AccessLogConfig(log.bool("enabled"),
                log.choice("format", AccessLogConfig.Format.class), log.read("destination", ConfigReader::nonEmpty, ""));
        Node reloadNode = portier.child("reload");
        ReloadConfig reload = new ReloadConfig(reloadNode.bool("watch"), reloadNode.duration("settle", true));

        listeners.forEach((name, l) -> {
            if (poolsRead && !l.pool().isEmpty() && !pools.containsKey(l.pool())) {
                listenerNodes.get(name).problem("pool", Show.quoted(l.pool()) + " (expected: "
                        + (pools.isEmpty() ? "a pool of portier.pools, which has none)"
                                : "one of the pools " + String.join(", ", pools.keySet()) + ")"));
            }
        });
        overlaps.check();

        if (!problems.isEmpty()) {
            return null;
        }
        return new PortierConfig(source, workers, transport, admin, listeners, pools, accessLog, reload);
    }

    private static int workers(ConfigValue v) {
        if (v != null && v.valueType() == ConfigValueType.STRING && "auto".equals(v.unwrapped())) {
            return Runtime.getRuntime().availableProcessors();
        }
        Long n = Scalars.wholeNumber(v);
        if (n == null || n < 1 || n > 1024) {
            throw new Rejected("an integer 1-1024 or \"auto\"");
        }
        return n.intValue();
    }

    private static AdminConfig admin(Node n, Overlaps overlaps) {
        HostPort bind = n.read("bind", v -> AddressParser.admin(Scalars.string(v)), null);
        ConfigValue tokenValue = n.value("token");
        Optional<String> token = Optional.empty();
        if (tokenValue != null) {
            String t = n.string("token");
            token = t.isEmpty() ? Optional.empty() : Optional.of(t);
        }
        if (bind != null) {
            overlaps.add("admin.bind", new BindAddress(bind.host(), bind.port(), bind.port()),
                    message -> n.problem("bind", message));
            if (token.isEmpty() && !AddressParser.isLoopback(bind.host())) {
                n.problem("bind", Show.quoted(bind.toString())
                        + " (expected: a loopback address, or set portier.admin.token)");
            }
        }
        return new AdminConfig(bind == null ? new HostPort("127.0.0.1", 0) : bind, token);
    }

    private static String nonEmpty(ConfigValue v) {
        String s = Scalars.string(v);
        if (s.isBlank()) {
            throw new Rejected("\"stdout\" or a file path");
        }
        return s;
    }
}
