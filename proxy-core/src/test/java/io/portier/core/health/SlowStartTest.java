package io.portier.core.health;

import io.portier.config.HealthConfig;
import io.portier.config.LimitsConfig;
import io.portier.config.PoolConfig;
import io.portier.config.ServerConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SlowStartTest extends HealthTestSupport {

    @Test
    void weightRampsLinearlyAfterTheServerComesBackUp() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        int port = TestBackends.freePort();
        PoolConfig config = pool(health(HealthConfig.Type.TCP, 30, 1, 1), PoolConfig.OnServerDown.KEEP,
                Duration.ofSeconds(10), new ServerConfig("a", "127.0.0.1", port, 100, false, LimitsConfig.UNLIMITED));
        List<Server> servers = servers(config, clock::get);
        Server a = servers.get(0);
        assertThat(a.effectiveWeight()).as("a new server gets its full weight at once").isEqualTo(100 * Server.WEIGHT_SCALE);
        start(config, servers);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.state() == ServerState.DOWN);

        closeAfter.add(TestBackends.start(port, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.state() == ServerState.UP);

        assertThat(a.effectiveWeight()).isEqualTo(1);
        clock.addAndGet(Duration.ofMillis(2500).toNanos());
        assertThat(a.effectiveWeight()).isEqualTo(25 * Server.WEIGHT_SCALE);
        clock.addAndGet(Duration.ofMillis(5000).toNanos());
        assertThat(a.effectiveWeight()).isEqualTo(75 * Server.WEIGHT_SCALE);
        clock.addAndGet(Duration.ofMillis(2500).toNanos());
        assertThat(a.effectiveWeight()).isEqualTo(100 * Server.WEIGHT_SCALE);
    }
}
