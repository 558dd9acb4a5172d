package io.portier.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portier.core.ListenerBindException;
import io.portier.server.demo.Demo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The built-in demo, in process, through real sockets on loopback. */
class DemoTest {

    @Test
    void servesBothBackendsThroughTheProxy() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Demo demo = Demo.start(0, 0, 0, 0, registry(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
            InetSocketAddress proxy = demo.proxyAddress();
            assertThat(proxy.getPort()).isPositive();
            Set<String> answers = ConcurrentHashMap.newKeySet();

            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                answers.add(get(proxy));
                assertThat(answers).contains("hello from a\n", "hello from b\n");
            });

            demo.printWhatToTry(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("curl http://127.0.0.1:" + proxy.getPort() + "/")
                    .contains("http://127.0.0.1:" + demo.adminPort() + "/      the live dashboard");
            var pools = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + demo.adminPort() + "/api/v1/pools")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(pools.statusCode()).isEqualTo(200);
            assertThat(pools.body()).contains("\"name\" : \"demo\"", "\"name\" : \"a\"", "\"name\" : \"b\"");
        }
    }

    @Test
    void movesToTheNextPortWhenTheFirstIsTakenAndSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            try (Demo demo = Demo.start(port, port + 10, 0, 0, registry(),
                    new PrintStream(out, true, StandardCharsets.UTF_8))) {
                assertThat(demo.proxyAddress().getPort()).isGreaterThan(port);
                // Another process may hold the next port too: then the message names the run of ports.
                assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern(
                        "^127\\.0\\.0\\.1:" + port + "(-\\d+ are| is) in use; using " + demo.proxyAddress().getPort());
            }
        }
    }

    @Test
    void failsNamingTheListenerAndAddressWhenEveryPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> Demo.start(port, port, 0, 0, registry(), System.out))
                    .isInstanceOfSatisfying(ListenerBindException.class, e -> {
                        assertThat(e.listener()).isEqualTo("demo");
                        assertThat(e.address()).isEqualTo("127.0.0.1:" + port);
                        assertThat(e.reason()).isEqualTo("in use");
                    });
        }
    }

    /** One HTTP GET on a connection of its own (the proxy balances connections, not requests). */
    private static String get(InetSocketAddress proxy) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(proxy, 2_000);
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write(
                    "GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static PrometheusMeterRegistry registry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
}
