package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final long UNLIMITED = LimitsConfig.UNLIMITED;

    @Test
    void parsesFullConfigIntoRecords() throws Exception {
        PortierConfig c = ConfigLoader.parse("""
                portier {
                  workers = 4
                  transport = nio
                  admin { bind = "[::1]:9911", token = s3cret }
                  listeners {
                    web {
                      bind = ["0.0.0.0:8080", "127.0.0.1:7000-7009", "[::1]:8081", "[::]:8082", ":8083", "127.0.0.1:0"]
                      pool = web
                      reuse-port = off
                      backlog = 512
                      tcp-keepalive = on, splice = on
                      access { allow = ["10.0.0.0/8", "2001:db8::/32"], deny = ["10.1.2.3"] }
                      limits {
                        max-connections = 1000
                        connection-rate = 100
                        connection-burst = 20
                        per-source { max-connections = 10, connection-rate = 5, tracked-sources = 5000 }
                        bandwidth { port = 10MiB, connection = 64KiB }
                        on-limit = reset
                      }
                      timeouts { connect = 500ms, idle = 5m, drain = 0s }
                      proxy-protocol { send = v2, accept = v1 }
                    }
                  }
                  pools {
                    web {
                      balance = least-connections
                      retries = 0
                      servers = [
                        { name = a, address = "127.0.0.1:9001", weight = 3 }
                        { name = b, address = "backend.internal", backup = on, max-connections = 50 }
                        { name = c, address = "[2001:db8::7]" }
                        { name = d, address = "[::1]:9004" }
                      ]
                      health {
                        type = send-expect
                        interval = 5s
                        timeout = 2s
                        rise = 1
                        fall = 5
                        send = \"\"\"PING\\r\\n\\x00\"\"\"
                        expect = "/^\\\\+PONG/"
                        http { path = "/health", expect-status = "204", host = example.org }
                        passive { consecutive-failures = 0, ejection = 10s }
                      }
                      slow-start = 30s
                      on-server-down = close
                    }
                  }
                  access-log { enabled = off, format = json, destination = "/var/log/portier.log" }
                  reload { watch = off, settle = 250ms }
                }
                """, "full.conf");

        assertThat(c.source()).isEmpty();
        assertThat(c.workers()).isEqualTo(4);
        assertThat(c.transport()).isEqualTo(PortierConfig.Transport.NIO);
        assertThat(c.admin()).isEqualTo(new AdminConfig(new HostPort("::1", 9911), Optional.of("s3cret")));

        ListenerConfig web = c.listeners().get("web");
        assertThat(web.binds()).containsExactly(
                new BindAddress("0.0.0.0", 8080, 8080),
                new BindAddress("127.0.0.1", 7000, 7009),
                new BindAddress("::1", 8081, 8081),
                new BindAddress("::", 8082, 8082),
                new BindAddress("0.0.0.0", 8083, 8083),
                new BindAddress("127.0.0.1", 0, 0));
        assertThat(web.pool()).isEqualTo("web");
        assertThat(web.reusePort()).isFalse();
        assertThat(web.backlog()).isEqualTo(512);
        assertThat(web.tcpKeepAlive()).isTrue();
        assertThat(web.splice()).isTrue();
        assertThat(web.access().allow()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));
        assertThat(web.access().deny()).containsExactly(Cidr.parse("10.1.2.3/32"));
        assertThat(web.limits()).isEqualTo(new LimitsConfig(1000, 100, 20,
                new LimitsConfig.PerSource(10, 5, 5000),
                new LimitsConfig.Bandwidth(10 * 1024 * 1024, 64 * 1024),
                LimitsConfig.OnLimit.RESET));
        assertThat(web.timeouts()).isEqualTo(
                new TimeoutsConfig(Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ZERO));
        assertThat(web.proxyProtocol()).isEqualTo(
                new ProxyProtocolConfig(ProxyProtocolConfig.Version.V2, ProxyProtocolConfig.Version.V1));

        PoolConfig pool = c.pools().get("web");
        assertThat(pool.balance()).isEqualTo(Balance.LEAST_CONNECTIONS);
        assertThat(pool.retries()).isZero();
        assertThat(pool.servers()).containsExactly(
                new ServerConfig("a", "127.0.0.1", 9001, 3, false, UNLIMITED),
                new ServerConfig("b", "backend.internal", ServerConfig.SAME_PORT, 1, true, 50),
                new ServerConfig("c", "2001:db8::7", ServerConfig.SAME_PORT, 1, false, UNLIMITED),
                new ServerConfig("d", "::1", 9004, 1, false, UNLIMITED));
        assertThat(pool.servers().get(2).address()).isEqualTo("[2001:db8::7]");
        assertThat(pool.health()).isEqualTo(new HealthConfig(HealthConfig.Type.SEND_EXPECT,
                Duration.ofSeconds(5), Duration.ofSeconds(2), 1, 5, "PING\r\n\0", "/^\\+PONG/",
                new HealthConfig.Http("/health", 204, 204, "example.org"),
                new HealthConfig.Passive(0, Duration.ofSeconds(10))));
        assertThat(pool.slowStart()).isEqualTo(Duration.ofSeconds(30));
        assertThat(pool.onServerDown()).isEqualTo(PoolConfig.OnServerDown.CLOSE);

        assertThat(c.accessLog()).isEqualTo(
                new AccessLogConfig(false, AccessLogConfig.Format.JSON, "/var/log/portier.log"));
        assertThat(c.reload()).isEqualTo(new ReloadConfig(false, Duration.ofMillis(250)));
    }

    @Test
    void fillsEveryDefaultFromReferenceConf() throws Exception {
        PortierConfig c = ConfigLoader.parse("""
                portier.listeners.web { bind = ":8080", pool = web }
                portier.pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }]
                """, "min.conf", Map.of(), new java.util.HashSet<>());

        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.transport()).isEqualTo(PortierConfig.Transport.AUTO);
        assertThat(c.admin()).isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9901), Optional.empty()));
        ListenerConfig web = c.listeners().get("web");
        assertThat(web.reusePort()).isTrue();
        assertThat(web.backlog()).isEqualTo(1024);
        assertThat(web.tcpKeepAlive()).isFalse();
        assertThat(web.splice()).isFalse();
        assertThat(web.access()).isEqualTo(new AccessConfig(List.of(), List.of()));
        assertThat(web.limits()).isEqualTo(new LimitsConfig(UNLIMITED, UNLIMITED, 0,
                new LimitsConfig.PerSource(UNLIMITED, UNLIMITED, 100_000),
                new LimitsConfig.Bandwidth(UNLIMITED, UNLIMITED), LimitsConfig.OnLimit.CLOSE));
        assertThat(web.timeouts()).isEqualTo(
                new TimeoutsConfig(Duration.ofSeconds(3), Duration.ofHours(1), Duration.ofSeconds(30)));
        assertThat(web.proxyProtocol()).isEqualTo(
                new ProxyProtocolConfig(ProxyProtocolConfig.Version.OFF, ProxyProtocolConfig.Version.OFF));
        PoolConfig pool = c.pools().get("web");
        assertThat(pool.balance()).isEqualTo(Balance.ROUND_ROBIN);
        assertThat(pool.retries()).isEqualTo(2);
        assertThat(pool.servers()).containsExactly(new ServerConfig("a", "127.0.0.1", 9001, 1, false, UNLIMITED));
        assertThat(pool.health()).isEqualTo(new HealthConfig(HealthConfig.Type.TCP, Duration.ofSeconds(2),
                Duration.ofSeconds(1), 2, 3, "", "", new HealthConfig.Http("/", 200, 399, ""),
                new HealthConfig.Passive(5, Duration.ofSeconds(30))));
        assertThat(pool.slowStart()).isZero();
        assertThat(pool.onServerDown()).isEqualTo(PoolConfig.OnServerDown.KEEP);
        assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(true, AccessLogConfig.Format.LOGFMT, "stdout"));
        assertThat(c.reload()).isEqualTo(new ReloadConfig(true, Duration.ofSeconds(1)));
    }

    @Test
    void templatesChangeTheDefaultOfEveryEntry() throws Exception {
        PortierConfig c = ConfigLoader.parse("""
                portier {
                  listener-defaults { pool = shared, limits.connection-rate = 50 }
                  server-defaults.weight = 7
                  listeners {
                    a { bind = ":8080" }
                    b { bind = ":8081", limits.connection-rate = 10 }
                  }
                  pools.shared.servers = [{ name = x, address = "10.0.0.1:80" }]
                }
                """, "t.conf");

        assertThat(c.listeners().keySet()).containsExactly("a", "b");
        assertThat(c.listeners().get("a").pool()).isEqualTo("shared");
        assertThat(c.listeners().get("a").limits().connectionRate()).isEqualTo(50);
        assertThat(c.listeners().get("b").limits().connectionRate()).isEqualTo(10);
        assertThat(c.pools().get("shared").servers().get(0).weight()).isEqualTo(7);
    }

    @Test
    void keepsListenersAndPoolsInFileOrder() throws Exception {
        PortierConfig c = ConfigLoader.parse("""
                portier.pools.p { servers = [{ name = a, address = "10.0.0.1:80" }] }
                portier.listeners {
                  zeta { bind = ":8001", pool = p }
                  alpha { bind = ":8002", pool = p }
                  mid { bind = ":8003", pool = p }
                }
                """, "t.conf");

        assertThat(c.listeners().keySet()).containsExactly("zeta", "alpha", "mid");
    }

    @Test
    void loadsFileWithIncludeAndEnvironmentSubstitution(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pools.conf"), """
                portier.pools.web.servers = [
                  { name = a, address = ${BACKEND_A} }
                  { name = b, address = "127.0.0.1:9002" }
                ]
                """);
        Path main = dir.resolve("portier.conf");
        Files.writeString(main, """
                include "pools.conf"
                portier {
                  workers = ${?PORTIER_WORKERS}
                  admin.token = ${?PORTIER_ADMIN_TOKEN}
                  listeners.web { bind = "127.0.0.1:8080", pool = web }
                  reload.settle = 2s
                  reload.settle = ${?PORTIER_SETTLE}
                }
                """);

        PortierConfig c = ConfigLoader.load(main,
                Map.of("BACKEND_A", "127.0.0.1:9001", "PORTIER_WORKERS", "3", "PORTIER_ADMIN_TOKEN", "t0k"));

        assertThat(c.source()).contains(main);
        assertThat(c.workers()).isEqualTo(3);
        assertThat(c.admin().token()).contains("t0k");
        assertThat(c.reload().settle()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.pools().get("web").servers()).extracting(ServerConfig::address)
                .containsExactly("127.0.0.1:9001", "127.0.0.1:9002");
    }

    @Test
    void reportsProblemsOfAnIncludedFileUnderItsOwnName(@TempDir Path dir) throws Exception {
        Path pools = dir.resolve("pools.conf");
        Files.writeString(pools, """
                portier.pools.web.servers = [
                  { name = a, address = "127.0.0.1:9001", weight = 0 }
                ]
                """);
        Path main = dir.resolve("portier.conf");
        Files.writeString(main, """
                include "pools.conf"
                portier.listeners.web { bind = "127.0.0.1:8080", pool = web, backlog = 0 }
                """);

        var thrown = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> ConfigLoader.load(main, Map.of()), InvalidConfigException.class);

        assertThat(thrown.problems()).map(ConfigProblem::toString).containsExactly(
                main + ":2: portier.listeners.web.backlog: 0 (expected: an integer 1-65535)",
                pools + ":2: portier.pools.web.servers[0].weight: 0 (expected: an integer 1-256)");
    }

    @Test
    void reportsAMissingFileAsAProblem(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");

        var thrown = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> ConfigLoader.load(missing, Map.of()), InvalidConfigException.class);

        assertThat(thrown.problems()).hasSize(1);
        assertThat(thrown.problems().get(0).file()).isEqualTo(missing.toString());
        assertThat(thrown.problems().get(0).path()).isEqualTo("hocon");
    }
}
