package io.portier.admin;

import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.AdminFixture.Reply;
import io.portier.admin.support.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Refused requests: each answers a JSON error with the right status, and changes nothing. */
class AdminErrorsTest {
    private static final String TOKEN = "s3cret-token";

    private Backend a;
    private AdminFixture fx;

    @BeforeEach
    void start() throws Exception {
        a = new Backend("a");
        fx = AdminFixture.start("""
                portier {
                  workers = 1
                  admin { bind = "127.0.0.1:0", token = "%s" }
                  access-log.enabled = off
                  listeners.web { bind = "127.0.0.1:0", pool = web }
                  pools.web {
                    health.type = none
                    servers = [{ name = a, address = "%s" }]
                  }
                }
                """.formatted(TOKEN, a.address()));
        fx.token(TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
        a.close();
    }

    private static void assertError(Reply r, int status, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().get("error").asText()).contains(messagePart);
        assertThat(r.json().get("problems").isArray()).isTrue();
    }

    @Test
    void refusesRequestsWithoutTheToken() {
        fx.token(null);
        Reply r = fx.get("/api/v1/pools");
        assertError(r, 401, "token");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertError(fx.get("/metrics"), 401, "token");
        assertError(fx.post("/api/v1/pools/web/servers/a/state", "{\"state\":\"drain\"}"), 401, "token");
        assertThat(fx.portier().pools().get("web").server("a").adminState().name()).isEqualTo("READY");
    }

    @Test
    void refusesAWrongToken() {
        fx.token("s3cret-tokem");
        assertError(fx.get("/api/v1/status"), 401, "token");
        fx.token(TOKEN + "x");
        assertError(fx.get("/api/v1/status"), 401, "token");
        fx.token(TOKEN);
        assertThat(fx.get("/api/v1/status").status()).isEqualTo(200);
    }

    @Test
    void probesAndThePageNeedNoToken() {
        fx.token(null);
        assertThat(fx.get("/healthz").status()).isEqualTo(200);
        assertThat(fx.get("/readyz").status()).isEqualTo(200);
        assertThat(fx.get("/").status()).isEqualTo(200);
    }

    @Test
    void configRedactsTheToken() {
        Reply r = fx.get("/api/v1/config");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("portier").get("admin").get("token").asText()).isEqualTo("<redacted>");
        assertThat(r.body()).doesNotContain(TOKEN);
    }

    @Test
    void refusesABodyThatIsNotJson() {
        assertError(fx.post("/api/v1/pools/web/servers/a/state", "{state: drain"), 400, "not valid JSON");
        assertError(fx.post("/api/v1/pools/web/servers/a/state", "[1,2]"), 400, "expected: a JSON object");
        assertError(fx.post("/api/v1/pools/web/servers/a/state", ""), 400, "empty");
    }

    @Test
    void refusesAnUnknownStateOrABadWeight() {
        assertError(fx.post("/api/v1/pools/web/servers/a/state", "{\"state\":\"off\"}"), 400,
                "state: \"off\" (expected: ready, drain or maint)");
        assertError(fx.post("/api/v1/pools/web/servers/a/state", "{\"weight\":1}"), 400, "state: missing");
        assertError(fx.put("/api/v1/pools/web/servers/a/weight", "{\"weight\":257}"), 400,
                "weight: 257 (expected: an integer 0-256)");
        assertError(fx.put("/api/v1/pools/web/servers/a/weight", "{\"weight\":-1}"), 400, "weight: -1");
        assertError(fx.put("/api/v1/pools/web/servers/a/weight", "{\"weight\":1.5}"), 400, "weight: 1.5");
        assertError(fx.put("/api/v1/pools/web/servers/a/weight", "{\"weight\":\"3\"}"), 400, "weight: \"3\"");
        assertThat(fx.portier().pools().get("web").server("a").weight()).isEqualTo(1);
        assertThat(fx.portier().pools().get("web").server("a").adminState().name()).isEqualTo("READY");
    }

    @Test
    void answers404ForAnUnknownPoolServerOrPath() {
        assertError(fx.post("/api/v1/pools/nope/servers/a/state", "{\"state\":\"drain\"}"), 404, "pool: nope");
        assertError(fx.post("/api/v1/pools/web/servers/z/state", "{\"state\":\"drain\"}"), 404, "server: web/z");
        assertError(fx.put("/api/v1/pools/web/servers/z/weight", "{\"weight\":2}"), 404, "server: web/z");
        assertError(fx.get("/api/v2/pools"), 404, "path");
        assertError(fx.get("/api/v1/connections?listener=nope"), 404, "listener: nope");
    }

    @Test
    void answers405WithAllowForAWrongMethod() {
        Reply r = fx.send("DELETE", "/api/v1/pools", null);
        assertError(r, 405, "method: DELETE");
        assertThat(r.header("Allow")).isEqualTo("GET");
        Reply state = fx.get("/api/v1/pools/web/servers/a/state");
        assertError(state, 405, "method: GET");
        assertThat(state.header("Allow")).isEqualTo("POST");
        assertThat(fx.get("/api/v1/reload").header("Allow")).isEqualTo("POST");
    }

    @Test
    void refusesBadQueryParameters() {
        assertError(fx.get("/api/v1/connections?limit=0"), 400, "limit: 0 (expected: 1-1000)");
        assertError(fx.get("/api/v1/connections?limit=5000"), 400, "limit: 5000");
        assertError(fx.get("/api/v1/connections?offset=-3"), 400, "offset: -3");
        assertError(fx.post("/api/v1/reload?dry-run=maybe", null), 400, "dry-run: maybe");
    }

    @Test
    void reloadWithoutAHandlerIsUnavailable() {
        assertError(fx.post("/api/v1/reload", null), 503, "reload not available");
    }

    @Test
    void refusesAnOversizedBodyWith413() throws Exception {
        String big = "{\"state\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertError(fx.post("/api/v1/pools/web/servers/a/state", big), 413, "body: too large");
        assertThat(fx.get("/api/v1/status").status()).isEqualTo(200);
    }

    @Test
    void closesConnectionsOverTheLimitAndRecovers() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++) {
                idle.add(new Socket("127.0.0.1", fx.adminPort()));
            }
            try (Socket over = new Socket("127.0.0.1", fx.adminPort())) {
                over.setSoTimeout(5000);
                over.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readAll(over)).isEmpty();
            } catch (SocketException reset) {
                // closed before the request was written: refused just the same
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(fx.get("/healthz").status()).isEqualTo(200));
    }

    private static String readAll(Socket s) throws IOException {
        try {
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }

    @Test
    void refusesACrossOriginChange() throws Exception {
        String body = "{\"state\":\"drain\"}";
        String request = "POST /api/v1/pools/web/servers/a/state HTTP/1.1\r\nHost: 127.0.0.1:" + fx.adminPort()
                + "\r\nOrigin: http://evil.example\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
        try (Socket s = new Socket("127.0.0.1", fx.adminPort())) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 403").contains("origin: http://evil.example");
        }
        assertThat(fx.portier().pools().get("web").server("a").adminState().name()).isEqualTo("READY");
    }
}
