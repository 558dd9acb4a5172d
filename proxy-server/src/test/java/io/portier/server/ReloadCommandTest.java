package io.portier.server;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code portier reload --admin HOST:PORT} against a stand-in for the admin API. */
class ReloadCommandTest {
    private HttpServer admin;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAdmin() {
        if (admin != null) {
            admin.stop(0);
        }
    }

    @Test
    void printsTheAnswerOfASuccessfulReload() throws IOException {
        String address = startAdmin(200, "{\"generation\": 2, \"dry_run\": false, \"changes\": []}");

        Console console = Console.run("reload", "--admin", address);

        assertThat(console.exitCode()).isZero();
        assertThat(console.out()).isEqualTo("{\"generation\": 2, \"dry_run\": false, \"changes\": []}\n");
        assertThat(requests).containsExactly("POST /api/v1/reload auth=none");
    }

    @Test
    void sendsTheTokenFromTheEnvironment() throws IOException {
        String address = startAdmin(200, "{}");

        Console console = Console.run(Map.of("PORTIER_ADMIN_TOKEN", "s3cret"), "reload", "--admin", address);

        assertThat(console.exitCode()).isZero();
        assertThat(requests).containsExactly("POST /api/v1/reload auth=Bearer s3cret");
    }

    @Test
    void printsTheProblemsOfARejectedReloadAndExitsOne() throws IOException {
        String problems = "{\"error\": \"invalid config\", \"problems\": [\"p.conf:3: portier.workers: -1\"]}";
        String address = startAdmin(400, problems);

        Console console = Console.run("reload", "--admin", address);

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.err()).contains("reload rejected; the running config is unchanged", problems);
    }

    @Test
    void saysClearlyWhenNoProxyListens() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        Console console = Console.run("reload", "--admin", "127.0.0.1:" + port);

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.err()).startsWith("portier: cannot reach the admin API at http://127.0.0.1:" + port
                + "/api/v1/reload (connection refused)");
    }

    private String startAdmin(int status, String body) throws IOException {
        admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        admin.createContext("/", exchange -> {
            try (exchange) {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI()
                        + " auth=" + (auth == null ? "none" : auth));
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        admin.start();
        return "127.0.0.1:" + admin.getAddress().getPort();
    }
}
