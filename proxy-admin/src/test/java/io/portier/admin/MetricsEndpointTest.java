package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Client;
import io.portier.admin.support.PromText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /metrics} after a scripted run: relayed connections and bytes, a no-server rejection, connect
 * failures and a failing health check, each read back by exported name and labels.
 */
class MetricsEndpointTest {
    private Backend a;
    private AdminFixture fx;
    private int closedPort;

    @BeforeEach
    void start() throws Exception {
        a = new Backend("a");
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        fx = AdminFixture.start("""
                portier {
                  workers = 1
                  admin.bind = "127.0.0.1:0"
                  access-log.enabled = off
                  listeners {
                    web { bind = "127.0.0.1:0", pool = web }
                    dead { bind = "127.0.0.1:0", pool = dead }
                    refused { bind = "127.0.0.1:0", pool = refused }
                  }
                  pools {
                    web { health.type = none, servers = [{ name = a, address = "%1$s" }] }
                    dead { health.type = none, servers = [{ name = x, address = "%1$s" }] }
                    refused {
                      retries = 0
                      health.type = none
                      servers = [{ name = gone, address = "127.0.0.1:%2$d" }]
                    }
                    checked {
                      health { type = tcp, interval = 100ms, timeout = 100ms, rise = 1, fall = 1 }
                      servers = [{ name = gone, address = "127.0.0.1:%2$d" }]
                    }
                  }
                }
                """.formatted(a.address(), closedPort));
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
        a.close();
    }

    private PromText scrape() {
        AdminFixture.Reply r = fx.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        return PromText.parse(r.body());
    }

    @Test
    void contractMetricsCountTheScriptedTraffic() throws Exception {
        String web = Integer.toString(fx.port("web"));
        try (Client kept = Client.connect(fx.port("web"))) {
            kept.backend();
            kept.roundTrip("0123456789");
            for (int i = 0; i < 2; i++) {
                try (Client c = Client.connect(fx.port("web"))) {
                    c.backend();
                    c.roundTrip("0123456789");
                }
            }
            fx.post("/api/v1/pools/dead/servers/x/state", "{\"state\":\"maint\"}");
            try (Client c = Client.connect(fx.port("dead"))) {
                assertThat(c.read()).isEqualTo(-1);
            }
            for (int i = 0; i < 2; i++) {
                try (Client c = Client.connect(fx.port("refused"))) {
                    assertThat(c.read()).isEqualTo(-1);
                }
            }

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                PromText m = scrape();
                assertThat(m.value("portier_listener_connections_active", "listener", "web", "port", web))
                        .isEqualTo(1.0);
                assertThat(m.value("portier_server_connections_active", "pool", "web", "server", "a"))
                        .isEqualTo(1.0);
            });
            PromText m = scrape();
            assertThat(m.value("portier_listener_connections_total", "listener", "web", "port", web)).isEqualTo(3.0);
            assertThat(m.value("portier_listener_bytes_total", "listener", "web", "port", web, "direction", "in"))
                    .isEqualTo(30.0);
            assertThat(m.value("portier_listener_bytes_total", "listener", "web", "port", web, "direction", "out"))
                    .isEqualTo(3 * ("a\n".length() + 10.0));
            assertThat(m.value("portier_listener_rejected_total", "listener", "dead",
                    "port", Integer.toString(fx.port("dead")), "reason", "no-server")).isEqualTo(1.0);
            assertThat(m.value("portier_listener_rejected_total", "listener", "web", "port", web, "reason", "no-server"))
                    .isEqualTo(0.0);
            assertThat(m.value("portier_server_connect_failures_total", "pool", "refused", "server", "gone"))
                    .isEqualTo(2.0);
            assertThat(m.value("portier_server_connect_failures_total", "pool", "web", "server", "a")).isEqualTo(0.0);
            assertThat(m.value("portier_server_connect_seconds_count", "pool", "web", "server", "a")).isEqualTo(3.0);
            assertThat(m.value("portier_config_generation")).isEqualTo(1.0);
            assertThat(m.samples().keySet()).noneMatch(k -> k.contains("127.0.0.1"));
        }
    }

    @Test
    void jvmAndNettyAllocatorMetricsAreExported() {
        PromText m = scrape();
        assertThat(m.has("jvm_memory_used_bytes")).isTrue();
        assertThat(m.has("jvm_threads_live_threads")).isTrue();
        assertThat(m.has("system_cpu_count")).isTrue();
        assertThat(m.samples().keySet()).anyMatch(k -> k.startsWith("netty_allocator_"));
    }

    @Test
    void aFailingHealthCheckIsCountedAndTheServerIsDown() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            PromText m = scrape();
            assertThat(m.value("portier_health_checks_total", "pool", "checked", "server", "gone", "result", "fail"))
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(m.value("portier_server_up", "pool", "checked", "server", "gone")).isEqualTo(0.0);
        });
        JsonNode checked = null;
        for (JsonNode pool : fx.get("/api/v1/pools").json()) {
            if (pool.get("name").asText().equals("checked")) {
                checked = pool.get("servers").get(0);
            }
        }
        assertThat(checked).isNotNull();
        assertThat(checked.get("state").asText()).isEqualTo("DOWN");
        assertThat(checked.get("check").get("code").asText()).isEqualTo("L4CON");
        assertThat(checked.get("check").get("fail").asLong()).isPositive();
        assertThat(checked.get("check").get("at").asText()).isNotEmpty();
    }
}
