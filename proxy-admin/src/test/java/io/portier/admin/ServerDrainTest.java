package io.portier.admin;

import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Operator states through the API: drain keeps live connections and sends new ones elsewhere. */
class ServerDrainTest {
    private Backend a;
    private Backend b;
    private AdminFixture fx;

    @BeforeEach
    void start() throws Exception {
        a = new Backend("a");
        b = new Backend("b");
        fx = AdminFixture.start("""
                portier {
                  workers = 2
                  admin.bind = "127.0.0.1:0"
                  access-log.enabled = off
                  listeners.web { bind = "127.0.0.1:0", pool = web }
                  pools.web {
                    balance = round-robin
                    health.type = none
                    servers = [
                      { name = a, address = "%s" }
                      { name = b, address = "%s" }
                    ]
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
    void drainSendsNewConnectionsElsewhereWhileLiveOnesStay() throws Exception {
        List<Client> clients = new ArrayList<>();
        try {
            Client onA = null;
            int liveOnA = 0;
            for (int i = 0; i < 4 && onA == null; i++) {
                Client c = Client.connect(fx.port("web"));
                clients.add(c);
                if (c.backend().equals("a")) {
                    onA = c;
                    liveOnA++;
                }
            }
            assertThat(onA).as("round-robin reaches a within 4 connections").isNotNull();

            assertThat(fx.post("/api/v1/pools/web/servers/a/state", "{\"state\":\"drain\"}").status()).isEqualTo(200);
            int acceptedByA = a.accepted();
            for (int i = 0; i < 6; i++) {
                Client c = Client.connect(fx.port("web"));
                clients.add(c);
                assertThat(c.backend()).as("connection %d after drain", i).isEqualTo("b");
            }
            assertThat(a.accepted()).isEqualTo(acceptedByA);
            assertThat(onA.roundTrip("still here")).isEqualTo("still here");
            assertThat(fx.get("/api/v1/pools").json().get(0).get("servers").get(0).get("active").asInt())
                    .isEqualTo(liveOnA);

            assertThat(fx.post("/api/v1/pools/web/servers/a/state", "{\"state\":\"ready\"}").status()).isEqualTo(200);
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Client c = Client.connect(fx.port("web"));
                clients.add(c);
                after.add(c.backend());
            }
            assertThat(after).contains("a", "b");
        } finally {
            for (Client c : clients) {
                c.close();
            }
        }
    }

    @Test
    void weightZeroTakesAServerOutOfRotation() throws Exception {
        assertThat(fx.put("/api/v1/pools/web/servers/b/weight", "{\"weight\":0}").status()).isEqualTo(200);
        for (int i = 0; i < 4; i++) {
            try (Client c = Client.connect(fx.port("web"))) {
                assertThat(c.backend()).isEqualTo("a");
            }
        }
    }

    @Test
    void maintWithOnServerDownKeepLeavesLiveConnectionsOpen() throws Exception {
        try (Client c = Client.connect(fx.port("web"))) {
            String server = c.backend();
            fx.post("/api/v1/pools/web/servers/" + server + "/state", "{\"state\":\"maint\"}");
            assertThat(c.roundTrip("ok")).isEqualTo("ok");
            try (Client next = Client.connect(fx.port("web"))) {
                assertThat(next.backend()).isNotEqualTo(server);
            }
        }
    }
}
