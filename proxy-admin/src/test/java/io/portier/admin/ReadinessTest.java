package io.portier.admin;

import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.AdminFixture.Reply;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Client;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** /readyz follows the proxy's lifecycle: 503 from the moment a graceful shutdown begins. */
class ReadinessTest {

    @Test
    void readyzIs503WhileDrainingOnShutdown() throws Exception {
        try (Backend a = new Backend("a");
             AdminFixture fx = AdminFixture.start("""
                     portier {
                       workers = 1
                       admin.bind = "127.0.0.1:0"
                       access-log.enabled = off
                       listeners.web { bind = "127.0.0.1:0", pool = web, timeouts.drain = 3s }
                       pools.web {
                         health.type = none
                         servers = [{ name = a, address = "%s" }]
                       }
                     }
                     """.formatted(a.address()))) {
            assertThat(fx.get("/readyz").status()).isEqualTo(200);
            try (Client live = Client.connect(fx.port("web"))) {
                live.backend();
                CompletableFuture<Void> stopped = fx.portier().shutdown();
                // the live connection holds the drain open: the admin port still answers meanwhile
                Reply draining = fx.get("/readyz");
                assertThat(draining.status()).isEqualTo(503);
                assertThat(draining.json().get("status").asText()).isEqualTo("draining");
                assertThat(fx.get("/healthz").status()).isEqualTo(200);
                assertThat(fx.get("/api/v1/status").json().get("stopping").asBoolean()).isTrue();
                assertThat(stopped).isNotDone();
            }
        }
    }
}
