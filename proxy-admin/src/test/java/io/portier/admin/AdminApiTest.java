package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.AdminFixture.Reply;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Client;
import io.portier.config.ConfigLoader;
import io.portier.config.PortierConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each endpoint of the admin table against a running proxy: the JSON it answers. */
class AdminApiTest {
    private Backend a;
    private Backend b;
    private AdminFixture fx;

    @BeforeEach
    void start() throws Exception {
        a = new Backend("a");
        b = new Backend("b");
        fx = AdminFixture.start("""
                portier {
                  workers = 1
                  admin.bind = "127.0.0.1:0"
                  access-log.enabled = off
                  listeners {
                    web { bind = "127.0.0.1:0", pool = web }
                  }
                  pools {
                    web {
                      balance = round-robin
                      health.type = none
                      servers = [
                        { name = a, address = "%s" }
                        { name = b, address = "%s", weight = 3, backup = false }
                      ]
                    }
                  }
                }
                """.formatted(a.address(), b.address()));
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
        a.close();
        b.close();
    }

    @Test
    void probesAnswerWhileRunning() {
        assertThat(fx.get("/healthz").status()).isEqualTo(200);
        Reply ready = fx.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");
    }

    @Test
    void statusNamesTransportWorkersAndGeneration() {
        JsonNode s = fx.get("/api/v1/status").json();
        assertThat(s.get("version").asText()).isNotEmpty();
        assertThat(s.get("uptime_seconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("transport").asText()).isIn("epoll", "nio");
        assertThat(s.get("workers").asInt()).isEqualTo(1);
        assertThat(s.get("config_generation").asLong()).isEqualTo(1);
        assertThat(s.get("config_file").isNull()).isTrue();
        assertThat(s.get("listeners").asInt()).isEqualTo(1);
        assertThat(s.get("servers").asInt()).isEqualTo(2);
    }

    @Test
    void listenersShowBoundPortsCountersAndBytes() throws Exception {
        int port = fx.port("web");
        try (Client c = Client.connect(port)) {
            String name = c.backend();
            assertThat(c.roundTrip("hello")).isEqualTo("hello");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode l = fx.get("/api/v1/listeners").json().get(0);
                assertThat(l.get("active").asLong()).isEqualTo(1);
                assertThat(l.get("bytes_in").asLong()).isEqualTo(5);
                assertThat(l.get("bytes_out").asLong()).isEqualTo(name.length() + 1 + 5);
            });
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(fx.get("/api/v1/listeners").json().get(0).get("active").asLong()).isZero());
        JsonNode l = fx.get("/api/v1/listeners").json().get(0);
        assertThat(l.get("name").asText()).isEqualTo("web");
        assertThat(l.get("pool").asText()).isEqualTo("web");
        JsonNode bind = l.get("binds").get(0);
        assertThat(bind.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(bind.get("port").asInt()).isEqualTo(port);
        assertThat(bind.get("sockets").asInt()).isPositive();
        assertThat(l.get("total").asLong()).isEqualTo(1);
        assertThat(l.get("rejected").isObject()).isTrue();
        assertThat(l.get("ports").get(0).get("port").asInt()).isEqualTo(port);
    }

    @Test
    void poolsShowEachServerWithStateWeightsAndLastCheck() {
        JsonNode pool = fx.get("/api/v1/pools").json().get(0);
        assertThat(pool.get("name").asText()).isEqualTo("web");
        assertThat(pool.get("balance").asText()).isEqualTo("round-robin");
        JsonNode sb = pool.get("servers").get(1);
        assertThat(sb.get("name").asText()).isEqualTo("b");
        assertThat(sb.get("address").asText()).isEqualTo(b.address());
        assertThat(sb.get("state").asText()).isEqualTo("UP");
        assertThat(sb.get("weight").asInt()).isEqualTo(3);
        assertThat(sb.get("effective_weight").asInt()).isEqualTo(3);
        assertThat(sb.get("backup").asBoolean()).isFalse();
        assertThat(sb.get("active").asInt()).isZero();
        assertThat(sb.get("total").asLong()).isZero();
        assertThat(sb.get("check").get("code").asText()).isEqualTo("NONE");
        assertThat(sb.get("check").has("detail")).isTrue();
        assertThat(sb.get("check").has("at")).isTrue();
    }

    @Test
    void stateAndWeightChangesAnswerWithTheServer() {
        Reply drained = fx.post("/api/v1/pools/web/servers/a/state", "{\"state\": \"drain\"}");
        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.json().get("state").asText()).isEqualTo("DRAIN");
        assertThat(fx.portier().pools().get("web").server("a").state().name()).isEqualTo("DRAIN");

        Reply weighted = fx.put("/api/v1/pools/web/servers/b/weight", "{\"weight\": 7}");
        assertThat(weighted.status()).isEqualTo(200);
        assertThat(weighted.json().get("weight").asInt()).isEqualTo(7);
        assertThat(fx.portier().pools().get("web").server("b").weight()).isEqualTo(7);

        Reply maint = fx.post("/api/v1/pools/web/servers/a/state", "{\"state\": \"MAINT\"}");
        assertThat(maint.json().get("state").asText()).isEqualTo("MAINT");
        Reply ready = fx.post("/api/v1/pools/web/servers/a/state", "{\"state\": \"ready\"}");
        assertThat(ready.json().get("state").asText()).isEqualTo("UP");
    }

    @Test
    void connectionsAreListedAPageAtATime() throws Exception {
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Client c = Client.connect(fx.port("web"));
                c.backend();
                c.roundTrip("ping");
                clients.add(c);
            }
            JsonNode first = fx.get("/api/v1/connections?listener=web&limit=2").json();
            assertThat(first.get("total").asInt()).isEqualTo(5);
            assertThat(first.get("connections")).hasSize(2);
            assertThat(first.get("next_offset").asInt()).isEqualTo(2);
            JsonNode c0 = first.get("connections").get(0);
            assertThat(c0.get("listener").asText()).isEqualTo("web");
            assertThat(c0.get("port").asInt()).isEqualTo(fx.port("web"));
            assertThat(c0.get("client").asText()).startsWith("127.0.0.1:");
            assertThat(c0.get("server").asText()).isIn("a", "b");
            assertThat(c0.get("age_ms").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(c0.get("bytes_in").asLong()).isEqualTo(4);
            assertThat(c0.get("bytes_out").asLong()).isEqualTo(2 + 4);

            Set<String> ids = new HashSet<>();
            Integer offset = 0;
            while (offset != null) {
                JsonNode page = fx.get("/api/v1/connections?limit=2&offset=" + offset).json();
                page.get("connections").forEach(c -> ids.add(c.get("id").asText()));
                offset = page.get("next_offset").isNull() ? null : page.get("next_offset").asInt();
            }
            assertThat(ids).hasSize(5);

            JsonNode all = fx.get("/api/v1/connections").json();
            assertThat(all.get("limit").asInt()).isEqualTo(100);
            assertThat(all.get("connections")).hasSize(5);
            assertThat(all.get("next_offset").isNull()).isTrue();
        } finally {
            for (Client c : clients) {
                c.close();
            }
        }
    }

    @Test
    void configIsTheEffectiveConfigAsJsonThatReadsBackEqual() throws Exception {
        Reply reply = fx.get("/api/v1/config");
        PortierConfig back = ConfigLoader.parse(reply.body(), "running config");
        PortierConfig running = fx.portier().config();
        assertThat(back.listeners()).isEqualTo(running.listeners());
        assertThat(back.pools()).isEqualTo(running.pools());
        assertThat(back.admin()).isEqualTo(running.admin());

        JsonNode c = reply.json().get("portier");
        assertThat(c.get("workers").asInt()).isEqualTo(1);
        assertThat(c.get("admin").get("token").asText()).isEmpty();
        JsonNode web = c.get("listeners").get("web");
        assertThat(web.get("pool").asText()).isEqualTo("web");
        assertThat(web.get("timeouts").get("idle").asText()).isEqualTo("1h");
        assertThat(web.get("limits").get("max-connections").asText()).isEqualTo("unlimited");
        JsonNode pool = c.get("pools").get("web");
        assertThat(pool.get("servers").get(1).get("weight").asInt()).isEqualTo(3);
        assertThat(pool.get("health").get("type").asText()).isEqualTo("none");
    }

    @Test
    void dashboardIsOneSelfContainedPage() {
        Reply page = fx.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<canvas", "/api/v1/listeners", "/api/v1/pools")
                .doesNotContain("src=\"http", "href=\"http");
    }

    @Test
    void metricsAreInPrometheusTextFormat() {
        Reply m = fx.get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(m.body()).contains("# TYPE portier_listener_connections_total counter");
    }
}
