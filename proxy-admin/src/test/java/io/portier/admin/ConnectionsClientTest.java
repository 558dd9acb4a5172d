package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.Backend;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /api/v1/connections} names the client a PROXY header gave, as the access log does. */
class ConnectionsClientTest {

    @Test
    void listsTheClientOfAnAcceptedProxyHeaderNotTheProxyInFront() throws Exception {
        try (Backend a = new Backend("a");
             AdminFixture fx = AdminFixture.start("""
                     portier {
                       workers = 1
                       admin.bind = "127.0.0.1:0"
                       access-log.enabled = off
                       listeners.web { bind = "127.0.0.1:0", pool = web, proxy-protocol.accept = v1 }
                       pools.web { health.type = none, servers = [{ name = a, address = "%s" }] }
                     }
                     """.formatted(a.address()));
             Socket client = new Socket("127.0.0.1", fx.port("web"))) {
            client.getOutputStream().write("PROXY TCP4 192.0.2.9 127.0.0.1 4444 80\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 1);
            JsonNode c = fx.get("/api/v1/connections?listener=web").json().get("connections").get(0);
            assertThat(c.get("client").asText()).isEqualTo("192.0.2.9:4444");
        }
    }
}
