package io.portier.core.health;

import com.sun.net.httpserver.HttpServer;
import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FlappingTest extends HealthTestSupport {

    @Test
    void serverPassingEveryOtherCheckKeepsItsStateWithRiseTwoAndFallThree() throws IOException {
        int upPort = alternating();
        int downPort = alternating();
        PoolConfig config = pool(HttpHealthCheckTest.http("/", 200, 299, "", 2, 3),
                serverConfig("up", upPort), serverConfig("down", downPort));
        List<Server> servers = servers(config);
        Server up = servers.get(0);
        Server down = servers.get(1);
        down.setHealthy(false, new CheckResult(CheckCode.L7STS, "HTTP 503", java.time.Instant.now()));
        start(config, servers);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> checks(up, "ok") >= 5 && checks(up, "fail") >= 5
                        && checks(down, "ok") >= 5 && checks(down, "fail") >= 5);

        assertThat(up.state()).isEqualTo(ServerState.UP);
        assertThat(down.state()).isEqualTo(ServerState.DOWN);
        assertThat(logLines()).isEmpty();
    }

    /** An HTTP server answering 200, 503, 200, 503... */
    private int alternating() throws IOException {
        AtomicInteger n = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        http.createContext("/", exchange -> {
            exchange.sendResponseHeaders(n.getAndIncrement() % 2 == 0 ? 200 : 503, -1);
            exchange.close();
        });
        http.start();
        closeAfter.add(() -> http.stop(0));
        return http.getAddress().getPort();
    }
}
