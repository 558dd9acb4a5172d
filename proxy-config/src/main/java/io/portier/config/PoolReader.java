package io.portier.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads one entry of {@code portier.pools} (already merged over pool-defaults) and its servers. */
final class PoolReader {
    private PoolReader() {}

    static PoolConfig read(String name, Node n, ConfigObject serverDefaults) {
        if (!Names.isValid(name)) {
            n.problem(Show.quoted(name) + " (expected: " + Names.EXPECTED + ")");
        }
        Balance balance = n.choice("balance", Balance.class);
        int retries = n.integer("retries", 0, 100);
        List<ServerConfig> servers = new ArrayList<>();
        List<Node> elements = n.elements("servers", serverDefaults, "portier.server-defaults");
        if (elements != null) {
            Set<String> names = new HashSet<>();
            for (Node s : elements) {
                ServerConfig server = server(s);
                if (!server.name().isEmpty() && !names.add(server.name())) {
                    s.problem("name", Show.quoted(server.name())
                            + " (expected: a name no other server of pool " + name + " has)");
                }
                servers.add(server);
            }
            if (elements.isEmpty() && n.value("servers") instanceof ConfigList l && l.isEmpty()) {
                n.problem("servers", (n.isSetByUser("servers") ? "[]" : "missing")
                        + " (expected: a non-empty list of servers like { name = a, address = \"10.0.0.1:9001\" })");
            }
        }
        return new PoolConfig(name, balance, retries, servers, health(n.child("health")),
                n.duration("slow-start", true), n.choice("on-server-down", PoolConfig.OnServerDown.class));
    }

    private static ServerConfig server(Node n) {
        String name = n.string("name");
        if (name.isEmpty()) {
            n.problem("name", (n.isSetByUser("name") ? "\"\"" : "missing") + " (expected: " + Names.EXPECTED + ")");
        } else if (!Names.isValid(name)) {
            n.problem("name", Show.quoted(name) + " (expected: " + Names.EXPECTED + ")");
        }
        HostPort address = new HostPort("", ServerConfig.SAME_PORT);
        if (n.string("address").isEmpty() && !n.isSetByUser("address")) {
            n.problem("address", "missing (expected: " + AddressParser.SERVER_EXPECTED + ")");
        } else {
            address = n.read("address", v -> AddressParser.server(Scalars.string(v)), address);
        }
        return new ServerConfig(name, address.host(), address.port(), n.integer("weight", 1, 256),
                n.bool("backup"), n.limit("max-connections"));
    }

    private static HealthConfig health(Node n) {
        HealthConfig.Type type = n.choice("type", HealthConfig.Type.class);
        String send = n.read("send", v -> Escapes.decode(Scalars.string(v)), "");
        String expect = n.read("expect", v -> regexOrText(Scalars.string(v)), "");
        if (type == HealthConfig.Type.SEND_EXPECT && expect.isEmpty()
                && "".equals(n.value("expect").unwrapped())) {
            n.problem("expect", Show.value(n.value("expect"))
                    + " (expected: a substring or /regex/ the reply must match, when type = send-expect)");
        }
        Node http = n.child("http");
        String path = http.read("path", v -> httpPath(Scalars.string(v)), "/");
        int[] status = http.read("expect-status", v -> statusRange(Scalars.string(v)), new int[] {200, 399});
        Node passive = n.child("passive");
        return new HealthConfig(type, n.duration("interval", false), n.duration("timeout", false),
                n.integer("rise", 1, 1000), n.integer("fall", 1, 1000), send, expect,
                new HealthConfig.Http(path, status[0], status[1], http.string("host")),
                new HealthConfig.Passive(passive.integer("consecutive-failures", 0, Integer.MAX_VALUE),
                        passive.duration("ejection", false)));
    }

    /** Keeps the text as written; a /regex/ must compile. */
    private static String regexOrText(String text) {
        if (text.length() >= 2 && text.startsWith("/") && text.endsWith("/")) {
            try {
                Pattern.compile(text.substring(1, text.length() - 1));
            } catch (PatternSyntaxException e) {
                throw new Rejected("a valid /regex/: " + e.getDescription());
            }
        }
        return text;
    }

    private static String httpPath(String text) {
        if (!text.startsWith("/") || text.chars().anyMatch(c -> c <= ' ')) {
            throw new Rejected("a path starting with \"/\", without spaces");
        }
        return text;
    }

    private static int[] statusRange(String text) {
        String expected = "\"LOW-HIGH\" or \"CODE\", codes 100-599";
        String[] parts = text.trim().split("-", -1);
        if (parts.length > 2) {
            throw new Rejected(expected);
        }
        try {
            int low = Integer.parseInt(parts[0].trim());
            int high = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : low;
            if (low < 100 || high > 599 || low > high) {
                throw new Rejected(expected);
            }
            return new int[] {low, high};
        } catch (NumberFormatException e) {
            throw new Rejected(expected);
        }
    }
}
