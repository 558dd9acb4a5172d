package io.portier.config;

import com.typesafe.config.ConfigList;
import java.util.ArrayList;
import java.util.List;

/** Reads one entry of {@code portier.listeners} (already merged over listener-defaults). */
final class ListenerReader {
    private ListenerReader() {}

    /** @param overlaps receives every bind, for the check across listeners */
    static ListenerConfig read(String name, Node n, Overlaps overlaps) {
        if (!Names.isValid(name)) {
            n.problem(Show.quoted(name) + " (expected: " + Names.EXPECTED + ")");
        }
        List<BindAddress> binds = new ArrayList<>();
        for (Node.Element<BindAddress> e : n.stringOrList("bind", AddressParser::bind)) {
            binds.add(e.value());
            overlaps.add("listener " + name, e.value(), message -> n.problem("bind", e, message));
        }
        if (binds.isEmpty() && !n.isSetByUser("bind")) {
            n.problem("bind", "missing (expected: " + AddressParser.BIND_EXPECTED + ", or a list of them)");
        } else if (binds.isEmpty() && n.value("bind") instanceof ConfigList l && l.isEmpty()) {
            n.problem("bind", "[] (expected: " + AddressParser.BIND_EXPECTED + ", or a list of them)");
        }
        String pool = n.string("pool");
        if (pool.isEmpty()) {
            n.problem("pool", (n.isSetByUser("pool") ? "\"\"" : "missing") + " (expected: the name of a pool)");
        }
        return new ListenerConfig(
                name,
                binds,
                pool,
                n.bool("reuse-port"),
                n.integer("backlog", 1, 65535),
                n.bool("tcp-keepalive"),
                n.bool("splice"),
                access(n.child("access")),
                limits(n.child("limits")),
                timeouts(n.child("timeouts")),
                proxyProtocol(n.child("proxy-protocol")));
    }

    private static AccessConfig access(Node n) {
        return new AccessConfig(cidrs(n, "allow"), cidrs(n, "deny"));
    }

    private static List<Cidr> cidrs(Node n, String key) {
        return n.stringOrList(key, Cidr::read).stream().map(Node.Element::value).toList();
    }

    private static LimitsConfig limits(Node n) {
        Node perSource = n.child("per-source");
        Node bandwidth = n.child("bandwidth");
        return new LimitsConfig(
                n.limit("max-connections"),
                n.limit("connection-rate"),
                n.read("connection-burst", v -> Scalars.integer(v, 0, Long.MAX_VALUE), 0L),
                new LimitsConfig.PerSource(
                        perSource.limit("max-connections"),
                        perSource.limit("connection-rate"),
                        perSource.integer("tracked-sources", 1, 10_000_000)),
                new LimitsConfig.Bandwidth(bandwidth.size("port"), bandwidth.size("connection")),
                n.choice("on-limit", LimitsConfig.OnLimit.class));
    }

    private static TimeoutsConfig timeouts(Node n) {
        return new TimeoutsConfig(
                n.duration("connect", false),
                n.duration("idle", false),
                n.duration("drain", true));
    }

    private static ProxyProtocolConfig proxyProtocol(Node n) {
        return new ProxyProtocolConfig(
                n.choice("send", ProxyProtocolConfig.Version.class),
                n.choice("accept", ProxyProtocolConfig.Version.class));
    }
}
