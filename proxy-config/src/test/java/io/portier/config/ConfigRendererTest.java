package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ConfigRendererTest {

    private static final String TOKEN = "s3cret \"quoted\" token";

    /** Every key away from its default in at least one listener, pool or server. */
    private static final String RICH = """
            portier {
              workers = 3, transport = nio
              admin { bind = "[::1]:9911", token = "s3cret \\"quoted\\" token" }
              listeners {
                web {
                  bind = ["127.0.0.1:7000-7009", "[::1]:8080", ":8443"]
                  pool = web, reuse-port = off, backlog = 512, tcp-keepalive = on, splice = on
                  access {
                    allow = ["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]
                    deny = ["10.1.0.0/16", "::ffff:10.2.0.0/112", "2001:db8:0:0:0:0:0:1"]
                  }
                  limits {
                    max-connections = 1000, connection-rate = 200, connection-burst = 50
                    per-source { max-connections = 10, connection-rate = 5, tracked-sources = 5000 }
                    bandwidth { port = 10MiB, connection = 65536 }
                    on-limit = reset
                  }
                  timeouts { connect = 500ms, idle = 90m, drain = 1500ms }
                  proxy-protocol { send = v2, accept = v1 }
                }
                "api.v2" {
                  bind = "[::]:9000", pool = api
                  limits { connection-rate = 100, bandwidth.connection = 1KiB, on-limit = pause }
                  timeouts { idle = 1d, drain = 0s }
                  proxy-protocol.send = v1
                }
                any { bind = "127.0.0.1:0", pool = db }
              }
              pools {
                web {
                  balance = least-connections, retries = 0
                  servers = [
                    { name = a, address = "127.0.0.1:9001", weight = 3, max-connections = 100 }
                    { name = b, address = "backend.internal", backup = on }
                    { name = c, address = "[2001:db8::5]" }
                    { name = d, address = "[::1]:9004" }
                  ]
                  health {
                    type = send-expect, interval = 5s, timeout = 250ms, rise = 4, fall = 6
                    send = "PING\\r\\n", expect = "/^\\\\+PONG/"
                    http { path = "/health?full=1", expect-status = "200-299", host = "example.com" }
                    passive { consecutive-failures = 0, ejection = 2m }
                  }
                  slow-start = 20s, on-server-down = close
                }
                api {
                  balance = random-two
                  servers = [{ name = x, address = "10.0.0.9:8000" }]
                  health { type = send-expect, send = \"\"\"\\x00\\x01\\xff tab\\t \\\\ end\"\"\", expect = "OK" }
                }
                db {
                  balance = source-hash
                  servers = [{ name = x, address = "10.0.0.10:5432" }]
                  health { type = http, http.expect-status = "204", passive.consecutive-failures = 7 }
                }
                cache { balance = first, servers = [{ name = x, address = "10.0.0.11" }], health.type = none }
                legacy { balance = round-robin, servers = [{ name = x, address = "10.0.0.12:80" }] }
              }
              access-log { enabled = off, format = json, destination = "/var/log/portier/access \\"1\\" é.log" }
              reload { watch = off, settle = 250ms }
            }
            """;

    private static final String MINIMAL = """
            portier {
              workers = 1
              listeners.web { bind = "127.0.0.1:8080", pool = web }
              pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }]
            }
            """;

    private static PortierConfig config(String hocon) throws Exception {
        return ConfigLoader.parse(hocon, "render.conf", Map.of(), new HashSet<>());
    }

    private static PortierConfig withSource(PortierConfig c, PortierConfig sourceOf) {
        return new PortierConfig(sourceOf.source(), c.workers(), c.transport(), c.admin(), c.listeners(), c.pools(),
                c.accessLog(), c.reload());
    }

    @Test
    void parsesBackToAnEqualConfig() throws Exception {
        PortierConfig c = config(RICH);

        PortierConfig reparsed = ConfigLoader.parse(ConfigRenderer.toJson(c, false), "running config");

        assertThat(withSource(reparsed, c)).isEqualTo(c);
        assertThat(reparsed.admin().token()).contains(TOKEN);
    }

    @Test
    void parsesBackWithoutAnyDifference() throws Exception {
        PortierConfig c = config(RICH);

        PortierConfig reparsed = ConfigLoader.parse(ConfigRenderer.toJson(c, false), "running config");

        ConfigDiff diff = ConfigDiff.between(c, reparsed);
        assertThat(diff.describe()).isEmpty();
        assertThat(diff.isEmpty()).isTrue();
    }

    @Test
    void parsesBackAConfigOfDefaults() throws Exception {
        PortierConfig c = config(MINIMAL);

        PortierConfig reparsed = config(ConfigRenderer.toJson(c, true));

        assertThat(reparsed).isEqualTo(c);
    }

    @Test
    void coversEveryKeyWithANonDefaultValue() throws Exception {
        Map<String, Object> defaults = portier(ConfigRenderer.toTree(config(MINIMAL), false));
        Map<String, Object> rich = portier(ConfigRenderer.toTree(config(RICH), false));

        List<String> atDefault = new ArrayList<>();
        Map<String, Object> defaultListener = first(defaults, "listeners");
        Map<String, Object> defaultPool = first(defaults, "pools");
        Map<String, Object> defaultServer = firstServer(defaultPool);
        for (String path : leaves(defaultListener, "")) {
            if (values(rich, "listeners").stream()
                    .allMatch(l -> Objects.equals(at(l, path), at(defaultListener, path)))) {
                atDefault.add("listener " + path);
            }
        }
        for (String path : leaves(defaultPool, "")) {
            if (!path.equals("servers") && values(rich, "pools").stream()
                    .allMatch(p -> Objects.equals(at(p, path), at(defaultPool, path)))) {
                atDefault.add("pool " + path);
            }
        }
        for (String path : leaves(defaultServer, "")) {
            if (values(rich, "pools").stream().flatMap(p -> servers(p).stream())
                    .allMatch(s -> Objects.equals(at(s, path), at(defaultServer, path)))) {
                atDefault.add("server " + path);
            }
        }
        for (String key : List.of("workers", "transport", "admin", "access-log", "reload")) {
            for (String path : leaves(defaults, key)) {
                if (Objects.equals(at(rich, path), at(defaults, path))) {
                    atDefault.add(path);
                }
            }
        }

        assertThat(atDefault).isEmpty();
    }

    @Test
    void writesValuesInTheFormsOfTheConfigFile() throws Exception {
        Map<String, Object> portier = portier(ConfigRenderer.toTree(config(RICH), false));

        assertThat(at(portier, "workers")).isEqualTo(3);
        assertThat(at(portier, "transport")).isEqualTo("nio");
        assertThat(at(portier, "admin.bind")).isEqualTo("[::1]:9911");
        Map<String, Object> web = first(portier, "listeners");
        assertThat(at(web, "bind")).isEqualTo(List.of("127.0.0.1:7000-7009", "[::1]:8080", "0.0.0.0:8443"));
        assertThat(at(web, "reuse-port")).isEqualTo(false);
        assertThat(at(web, "tcp-keepalive")).isEqualTo(true);
        assertThat(at(web, "splice")).isEqualTo(true);
        assertThat(at(web, "access.deny")).isEqualTo(List.of("10.1.0.0/16", "10.2.0.0/16", "2001:db8::1/128"));
        assertThat(at(web, "limits.max-connections")).isEqualTo(1000L);
        assertThat(at(web, "limits.bandwidth.port")).isEqualTo(10L * 1024 * 1024);
        assertThat(at(web, "limits.on-limit")).isEqualTo("reset");
        assertThat(at(web, "timeouts.connect")).isEqualTo("500ms");
        assertThat(at(web, "timeouts.idle")).isEqualTo("90m");
        assertThat(at(web, "timeouts.drain")).isEqualTo("1500ms");
        assertThat(at(web, "proxy-protocol.send")).isEqualTo("v2");
        Map<String, Object> api = values(portier, "listeners").get(1);
        assertThat(at(api, "limits.max-connections")).isEqualTo("unlimited");
        assertThat(at(api, "timeouts.idle")).isEqualTo("24h");
        assertThat(at(api, "timeouts.drain")).isEqualTo("0s");

        List<Map<String, Object>> pools = values(portier, "pools");
        assertThat(pools).extracting(p -> p.get("balance"))
                .containsExactly("least-connections", "random-two", "source-hash", "first", "round-robin");
        assertThat(servers(pools.get(0))).extracting(s -> s.get("address"))
                .containsExactly("127.0.0.1:9001", "backend.internal", "[2001:db8::5]", "[::1]:9004");
        assertThat(at(pools.get(0), "health.type")).isEqualTo("send-expect");
        assertThat(at(pools.get(0), "health.send")).isEqualTo("PING\\r\\n");
        assertThat(at(pools.get(0), "health.expect")).isEqualTo("/^\\+PONG/");
        assertThat(at(pools.get(0), "health.http.expect-status")).isEqualTo("200-299");
        assertThat(at(pools.get(1), "health.send")).isEqualTo("\\x00\\x01\\xff tab\\t \\\\ end");
        assertThat(at(pools.get(2), "health.http.expect-status")).isEqualTo("204");
        assertThat(at(portier, "access-log.format")).isEqualTo("json");
        assertThat(at(portier, "reload.settle")).isEqualTo("250ms");
    }

    @Test
    void redactsTheTokenAndNeverPrintsIt() throws Exception {
        PortierConfig c = config(RICH);

        String json = ConfigRenderer.toJson(c, true);
        Map<String, Object> tree = ConfigRenderer.toTree(c, true);

        assertThat(json).doesNotContain("s3cret").contains("\"token\":\"<redacted>\"");
        assertThat(tree.toString()).doesNotContain("s3cret");
        assertThat(at(portier(tree), "admin.token")).isEqualTo(ConfigRenderer.REDACTED);
        assertThat(ConfigDiff.between(c, config(json)).isEmpty()).isTrue();
    }

    @Test
    void writesAnUnsetTokenAsEmptySoTheEnvironmentCannotFillIt() throws Exception {
        PortierConfig c = config(MINIMAL);

        assertThat(admin(ConfigRenderer.toTree(c, true))).containsEntry("token", "");
        assertThat(admin(ConfigRenderer.toTree(c, false))).containsEntry("token", "");
        assertThat(ConfigLoader.load(writeTemp(ConfigRenderer.toJson(c, true)),
                java.util.Map.of("PORTIER_ADMIN_TOKEN", "from-env")).admin().token()).isEmpty();
    }

    private static java.nio.file.Path writeTemp(String text) throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("rendered", ".conf");
        f.toFile().deleteOnExit();
        return java.nio.file.Files.writeString(f, text);
    }

    @Test
    void usesExactlyTheKeysOfReferenceConf() throws Exception {
        Set<String> written = new TreeSet<>();
        templatePaths(ConfigRenderer.toTree(config(RICH), false), "", written);

        ConfigObject reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false)).root();
        Set<String> defined = new TreeSet<>();
        referencePaths(reference, "", defined);

        assertThat(written).isEqualTo(defined);
    }

    @Test
    void writesInTheOrderOfTheConfigFile() throws Exception {
        String json = ConfigRenderer.toJson(config(RICH), false);

        assertThat(json).startsWith("{\"portier\":{\"workers\":3,\"transport\":\"nio\",\"admin\":{");
        assertThat(json.indexOf("\"web\":{\"bind\"")).isLessThan(json.indexOf("\"api.v2\":{"));
        assertThat(json.indexOf("\"api.v2\":{")).isLessThan(json.indexOf("\"any\":{"));
    }

    /**
     * Each written path with listener, pool and server entries replaced by their template, as in
     * reference.conf: portier.listeners.web.limits becomes portier.listener-defaults.limits.
     */
    private static void templatePaths(Object value, String path, Set<String> out) {
        if (!path.isEmpty()) {
            out.add(path);
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, child) -> {
                String childPath = switch (path) {
                    case "portier.listeners" -> "portier.listener-defaults";
                    case "portier.pools" -> "portier.pool-defaults";
                    default -> path.isEmpty() ? (String) key : path + "." + key;
                };
                templatePaths(child, childPath, out);
            });
        } else if (value instanceof List<?> list && path.equals("portier.pool-defaults.servers")) {
            list.forEach(server -> templatePaths(server, "portier.server-defaults", out));
        }
    }

    private static void referencePaths(ConfigObject object, String prefix, Set<String> out) {
        object.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            out.add(path);
            if (value instanceof ConfigObject o) {
                referencePaths(o, path, out);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> portier(Map<String, Object> tree) {
        return (Map<String, Object>) tree.get("portier");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> admin(Map<String, Object> tree) {
        return (Map<String, Object>) portier(tree).get("admin");
    }

    /** The value at a dotted path of plain keys (no dots in them). */
    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> tree, String path) {
        Object v = tree;
        for (String key : path.split("\\.")) {
            v = v instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> values(Map<String, Object> portier, String key) {
        return new ArrayList<>(((Map<String, Map<String, Object>>) portier.get(key)).values());
    }

    private static Map<String, Object> first(Map<String, Object> portier, String key) {
        return values(portier, key).get(0);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> servers(Map<String, Object> pool) {
        return (List<Map<String, Object>>) pool.get("servers");
    }

    private static Map<String, Object> firstServer(Map<String, Object> pool) {
        return servers(pool).get(0);
    }

    /** Dotted paths of every non-object value under key (or under the whole map when key is ""). */
    @SuppressWarnings("unchecked")
    private static List<String> leaves(Map<String, Object> tree, String key) {
        List<String> out = new ArrayList<>();
        if (!key.isEmpty()) {
            Object v = tree.get(key);
            if (v instanceof Map<?, ?> m) {
                leaves((Map<String, Object>) m, "").forEach(p -> out.add(key + "." + p));
            } else {
                out.add(key);
            }
            return out;
        }
        tree.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                leaves((Map<String, Object>) m, "").forEach(p -> out.add(k + "." + p));
            } else {
                out.add(k);
            }
        });
        return out;
    }
}
