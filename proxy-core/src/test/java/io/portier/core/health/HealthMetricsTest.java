package io.portier.core.health;

import io.micrometer.core.instrument.Gauge;
import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HealthMetricsTest extends HealthTestSupport {

    @Test
    void exportsServerUpAndChecksByResult() throws Exception {
        TestBackends.Backend backend = TestBackends.start(0, null);
        PoolConfig config = pool(health(HealthConfig.Type.TCP, 30, 1, 1), serverConfig("a", backend.port()));
        List<Server> servers = servers(config);
        Server a = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> checks(a, "ok") >= 2);
        assertThat(serverUp()).isEqualTo(1.0);
        assertThat(checks(a, "fail")).isZero();

        backend.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.state() == ServerState.DOWN);
        assertThat(serverUp()).isEqualTo(0.0);
        assertThat(checks(a, "fail")).isGreaterThanOrEqualTo(1.0);

        monitor.close();
        assertThat(registry.find("portier.server.up").meters()).isEmpty();
        assertThat(registry.find("portier.health.checks").meters()).isEmpty();
    }

    @Test
    void monitorsOfAnOldAndANewPoolShareMetersUntilTheLastOneCloses() {
        PoolConfig config = pool(health(HealthConfig.Type.TCP, 60_000, 1, 1), serverConfig("a", 9));
        List<Server> oldServers = servers(config);
        HealthMonitor old = PoolHealthMonitor.start(config, oldServers, loops, TRANSPORT, registry);
        List<Server> newServers = servers(config);
        start(config, newServers);
        newServers.get(0).setHealthy(false, CheckResult.NONE);

        old.close();
        assertThat(serverUp()).as("follows the new pool's server").isEqualTo(0.0);
        assertThat(registry.find("portier.health.checks").meters()).hasSize(2);

        monitor.close();
        assertThat(registry.find("portier.server.up").meters()).isEmpty();
        assertThat(registry.find("portier.health.checks").meters()).isEmpty();
    }

    private double serverUp() {
        Gauge g = registry.find("portier.server.up").tags("pool", "web", "server", "a").gauge();
        assertThat(g).isNotNull();
        return g.value();
    }
}
