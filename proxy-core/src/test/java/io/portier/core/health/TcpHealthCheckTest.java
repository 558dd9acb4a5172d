package io.portier.core.health;

import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TcpHealthCheckTest extends HealthTestSupport {

    @Test
    void serverThatStopsAcceptingGoesDownAfterFallChecksAndComesBackAfterRise() throws Exception {
        TestBackends.Backend a = TestBackends.start(0, null);
        TestBackends.Backend b = TestBackends.start(0, null);
        closeAfter.add(b);
        int portA = a.port();
        PoolConfig config = pool(health(HealthConfig.Type.TCP, 50, 2, 3),
                serverConfig("a", portA), serverConfig("b", b.port()));
        List<Server> servers = servers(config);
        Server sa = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> checks(sa, "ok") >= 2);
        assertThat(sa.state()).isEqualTo(ServerState.UP);
        assertThat(sa.lastCheck().code()).isEqualTo(CheckCode.L4OK);
        assertThat(selectable(config, servers)).isEqualTo(Set.of("a", "b"));

        a.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> sa.state() == ServerState.DOWN);
        assertThat(sa.lastCheck().code()).isEqualTo(CheckCode.L4CON);
        assertThat(sa.lastCheck().detail()).isEqualTo("connection refused");
        assertThat(checks(sa, "fail")).isGreaterThanOrEqualTo(3);
        assertThat(selectable(config, servers)).isEqualTo(Set.of("b"));

        closeAfter.add(TestBackends.start(portA, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> sa.state() == ServerState.UP);
        assertThat(selectable(config, servers)).isEqualTo(Set.of("a", "b"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logLines()).containsExactly(
                "server web/a is DOWN (L4CON connection refused, 3 of 3 failed); 1 of 2 servers up in web",
                "server web/a is UP (L4OK, 2 of 2 passed); 2 of 2 servers up in web"));
    }

    @Test
    void newServerStartsUpAndItsFirstFailedCheckTakesItDown() {
        PoolConfig config = pool(health(HealthConfig.Type.TCP, 400, 2, 3), serverConfig("a", TestBackends.freePort()));
        assertThat(HealthMonitor.initialHealthy(config.health())).isTrue();
        List<Server> servers = servers(config);
        Server a = servers.get(0);
        assertThat(a.state()).isEqualTo(ServerState.UP);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> a.state() == ServerState.DOWN);
        assertThat(checks(a, "fail")).isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logLines()).containsExactly(
                "server web/a is DOWN (L4CON connection refused, first check failed); 0 of 1 servers up in web"));
    }
}
