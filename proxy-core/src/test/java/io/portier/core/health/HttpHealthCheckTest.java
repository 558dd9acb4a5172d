package io.portier.core.health;

import com.sun.net.httpserver.HttpServer;
import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HttpHealthCheckTest extends HealthTestSupport {

    static HealthConfig http(String path, int low, int high, String host, int rise, int fall) {
        HealthConfig h = health(HealthConfig.Type.HTTP, 50, rise, fall);
        return new HealthConfig(h.type(), h.interval(), h.timeout(), h.rise(), h.fall(), "", "",
                new HealthConfig.Http(path, low, high, host), h.passive());
    }

    @Test
    void statusInRangeIsUpAndOutOfRangeIsDownWithBadStatus() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicReference<String> request = new AtomicReference<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        http.createContext("/", exchange -> {
            request.set(exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + " host=" + exchange.getRequestHeaders().getFirst("Host")
                    + " agent=" + exchange.getRequestHeaders().getFirst("User-Agent"));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        http.start();
        closeAfter.add(() -> http.stop(0));
        int port = http.getAddress().getPort();
        PoolConfig config = pool(http("/health", 200, 299, "", 2, 2), serverConfig("api", port));
        List<Server> servers = servers(config);
        Server server = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> checks(server, "ok") >= 2);
        assertThat(server.state()).isEqualTo(ServerState.UP);
        assertThat(server.lastCheck()).extracting(CheckResult::code, CheckResult::detail)
                .containsExactly(CheckCode.L7OK, "HTTP 200");
        assertThat(request.get()).isEqualTo("GET /health host=127.0.0.1:" + port + " agent=portier-health");

        status.set(503);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.DOWN);
        assertThat(server.lastCheck()).extracting(CheckResult::code, CheckResult::detail)
                .containsExactly(CheckCode.L7STS, "HTTP 503");

        status.set(204);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.UP);
    }

    @Test
    void sendsTheConfiguredHostHeader() {
        HttpHealthCheck check = new HttpHealthCheck(new HealthConfig.Http("/ready", 200, 399, "api.example"));
        Server server = servers(pool(http("/ready", 200, 399, "api.example", 1, 1), serverConfig("a", 8080))).get(0);
        assertThat(new String(check.request(server), java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(
                "GET /ready HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\nUser-Agent: portier-health\r\n\r\n");
    }

    @Test
    void judgesTheStatusLineOnly() {
        HttpHealthCheck check = new HttpHealthCheck(new HealthConfig.Http("/", 200, 399, ""));
        assertThat(check.judge("HTTP/1.1 30", false)).isNull();
        assertThat(check.judge("HTTP/1.1 301 Moved\r\n", false).code()).isEqualTo(CheckCode.L7OK);
        assertThat(check.judge("HTTP/1.0 200\r\n", false).code()).isEqualTo(CheckCode.L7OK);
        assertThat(check.judge("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n", false))
                .extracting(CheckResult::code, CheckResult::detail).containsExactly(CheckCode.L7STS, "HTTP 404");
        assertThat(check.judge("HTTP/1.1 200 OK", true).code()).isEqualTo(CheckCode.L7OK);
        assertThat(check.judge("SSH-2.0-OpenSSH_9.2\r\n", false))
                .extracting(CheckResult::code, CheckResult::detail)
                .containsExactly(CheckCode.L7RSP, "not an HTTP status line \"SSH-2.0-OpenSSH_9.2\\r\\n\"");
        assertThat(check.judge("HTTP/1.1 2000 OK\r\n", false).code()).isEqualTo(CheckCode.L7RSP);
        assertThat(check.judge("HTTP/1.1 20", true).code()).isEqualTo(CheckCode.L7RSP);
    }
}
