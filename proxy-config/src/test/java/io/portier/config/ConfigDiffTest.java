package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigDiffTest {

    private static final String BASE = """
            portier {
              workers = 2
              listeners {
                web { bind = "127.0.0.1:8080", pool = web, limits.connection-rate = 100 }
                old { bind = "127.0.0.1:8090", pool = web }
              }
              pools.web {
                servers = [
                  { name = a, address = "127.0.0.1:9001" }
                  { name = b, address = "127.0.0.1:9002" }
                ]
              }
            }
            """;

    private static PortierConfig config(String hocon) throws Exception {
        return ConfigLoader.parse(hocon, "diff.conf", java.util.Map.of(), new java.util.HashSet<>());
    }

    @Test
    void findsNothingBetweenEqualConfigs() throws Exception {
        ConfigDiff diff = ConfigDiff.between(config(BASE), config(BASE));

        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff.describe()).isEmpty();
        assertThat(diff.bindsChanged("web")).isFalse();
    }

    @Test
    void describesAddsRemovesAndFieldChanges() throws Exception {
        PortierConfig after = config("""
                portier {
                  workers = 4
                  listeners {
                    web { bind = "127.0.0.1:8081", pool = web, limits.connection-rate = 200 }
                    api { bind = "127.0.0.1:8100", pool = api }
                  }
                  pools.web {
                    balance = first
                    servers = [
                      { name = a, address = "127.0.0.1:9001", weight = 3 }
                      { name = c, address = "127.0.0.1:9003" }
                    ]
                  }
                  pools.api.servers = [{ name = x, address = "127.0.0.1:9100" }]
                }
                """);

        ConfigDiff diff = ConfigDiff.between(config(BASE), after);

        assertThat(diff.describe()).containsExactly(
                "workers 2 -> 4",
                "listener api added",
                "listener old removed",
                "listener web: bind [127.0.0.1:8080] -> [127.0.0.1:8081]",
                "listener web: limits.connection-rate 100 -> 200",
                "pool api added",
                "pool web: balance round-robin -> first",
                "pool web: server c added",
                "pool web: server b removed",
                "pool web: server a: weight 1 -> 3");
        assertThat(diff.isEmpty()).isFalse();
        assertThat(diff.listenersAdded()).containsExactly("api");
        assertThat(diff.listenersRemoved()).containsExactly("old");
        assertThat(diff.listenersChanged()).containsOnlyKeys("web");
        assertThat(diff.poolsAdded()).containsExactly("api");
        assertThat(diff.poolsRemoved()).isEmpty();
        ConfigDiff.PoolChange web = diff.poolsChanged().get("web");
        assertThat(web.serversAdded()).containsExactly("c");
        assertThat(web.serversRemoved()).containsExactly("b");
        assertThat(web.serversChanged().get("a")).containsExactly(new ConfigDiff.Change("weight", "1", "3"));
        assertThat(diff.globalChanges()).containsExactly(new ConfigDiff.Change("workers", "2", "4"));
    }

    @Test
    void tellsWhichListenersMustRebind() throws Exception {
        PortierConfig after = config("""
                portier {
                  workers = 2
                  listeners {
                    web { bind = "127.0.0.1:8080", pool = web, limits.connection-rate = 500 }
                    old { bind = "127.0.0.1:8090", pool = web, backlog = 10 }
                    api { bind = "127.0.0.1:8100", pool = web }
                  }
                  pools.web.servers = [
                    { name = a, address = "127.0.0.1:9001" }
                    { name = b, address = "127.0.0.1:9002" }
                  ]
                }
                """);

        ConfigDiff diff = ConfigDiff.between(config(BASE), after);

        assertThat(diff.bindsChanged("web")).isFalse();
        assertThat(diff.socketsChanged("web")).isFalse();
        assertThat(diff.bindsChanged("old")).isFalse();
        assertThat(diff.socketsChanged("old")).isTrue();
        assertThat(diff.bindsChanged("api")).isTrue();
        assertThat(diff.bindsChanged("nowhere")).isFalse();
    }

    @Test
    void describesChangedServerFieldsAndOrder() throws Exception {
        PortierConfig after = config("""
                portier {
                  workers = 2
                  listeners {
                    web { bind = "127.0.0.1:8080", pool = web, limits.connection-rate = 100 }
                    old { bind = "127.0.0.1:8090", pool = web }
                  }
                  pools.web {
                    health { type = http, http.expect-status = "200" }
                    servers = [
                      { name = b, address = "127.0.0.1:9012", backup = on, max-connections = 10 }
                      { name = a, address = "127.0.0.1:9001" }
                    ]
                  }
                }
                """);

        assertThat(ConfigDiff.between(config(BASE), after).describe()).containsExactly(
                "pool web: health.type tcp -> http",
                "pool web: health.http.expect-status 200-399 -> 200",
                "pool web: server b: address 127.0.0.1:9002 -> 127.0.0.1:9012",
                "pool web: server b: backup off -> on",
                "pool web: server b: max-connections unlimited -> 10",
                "pool web: servers order [a, b] -> [b, a]");
    }

    @Test
    void neverShowsTheAdminToken() throws Exception {
        PortierConfig after = config(BASE + "portier.admin.token = hunter2\n");

        assertThat(ConfigDiff.between(config(BASE), after).describe()).containsExactly("admin.token unset -> set");
    }
}
