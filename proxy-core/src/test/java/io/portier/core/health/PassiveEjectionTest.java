package io.portier.core.health;

import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PassiveEjectionTest extends HealthTestSupport {
    private static final ConnectException REFUSED = new ConnectException("Connection refused");

    @Test
    void consecutiveConnectFailuresEjectAtOnceAndActiveChecksBringItBackAfterTheEjection() {
        TestBackends.Backend backend = TestBackends.start(0, null);
        closeAfter.add(backend);
        Duration ejection = Duration.ofMillis(300);
        // A long interval: the ejection cannot come from an active check.
        PoolConfig config = pool(withPassive(health(HealthConfig.Type.TCP, 60_000, 1, 1), 3, ejection),
                serverConfig("a", backend.port()));
        List<Server> servers = servers(config);
        Server a = servers.get(0);
        start(config, servers);

        monitor.onConnectFailure(a, REFUSED);
        monitor.onConnectFailure(a, REFUSED);
        assertThat(a.state()).isEqualTo(ServerState.UP);
        long ejectedAt = System.nanoTime();
        monitor.onConnectFailure(a, REFUSED);

        await().atMost(Duration.ofSeconds(1)).until(() -> a.state() == ServerState.DOWN);
        assertThat(a.lastCheck()).extracting(CheckResult::code, CheckResult::detail).containsExactly(
                CheckCode.PASSIVE, "3 consecutive connect failures (last: connection refused)");

        await().atMost(Duration.ofSeconds(5)).until(() -> a.state() == ServerState.UP);
        assertThat(Duration.ofNanos(System.nanoTime() - ejectedAt)).isGreaterThanOrEqualTo(ejection);
        assertThat(a.lastCheck().code()).isEqualTo(CheckCode.L4OK);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logLines()).containsExactly(
                "server web/a is DOWN (PASSIVE 3 consecutive connect failures (last: connection refused),"
                        + " ejected for 300ms); 0 of 1 servers up in web",
                "server web/a is UP (L4OK, 1 of 1 passed); 1 of 1 servers up in web"));
    }

    @Test
    void checksPassedDuringTheEjectionDoNotEndItEarly() {
        TestBackends.Backend backend = TestBackends.start(0, null);
        closeAfter.add(backend);
        Duration ejection = Duration.ofMillis(600);
        PoolConfig config = pool(withPassive(health(HealthConfig.Type.TCP, 30, 1, 1), 1, ejection),
                serverConfig("a", backend.port()));
        List<Server> servers = servers(config);
        Server a = servers.get(0);
        start(config, servers);
        await().atMost(Duration.ofSeconds(5)).until(() -> checks(a, "ok") >= 1);

        long ejectedAt = System.nanoTime();
        monitor.onConnectFailure(a, REFUSED);
        await().atMost(Duration.ofSeconds(1)).until(() -> a.state() == ServerState.DOWN);
        double okAtEjection = checks(a, "ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.state() == ServerState.UP);

        assertThat(Duration.ofNanos(System.nanoTime() - ejectedAt)).isGreaterThanOrEqualTo(ejection);
        assertThat(checks(a, "ok") - okAtEjection).as("checks passed while ejected").isGreaterThanOrEqualTo(2);
    }

    @Test
    void withoutActiveChecksTheServerIsBackOnTrialAfterTheEjection() {
        Duration ejection = Duration.ofMillis(200);
        PoolConfig config = pool(withPassive(health(HealthConfig.Type.NONE, 2000, 2, 3), 2, ejection),
                serverConfig("a", TestBackends.freePort()));
        List<Server> servers = servers(config);
        Server a = servers.get(0);
        start(config, servers);

        monitor.onConnectFailure(a, REFUSED);
        monitor.onConnectSuccess(a);
        monitor.onConnectFailure(a, REFUSED);
        assertThat(a.state()).as("a success in between resets the count").isEqualTo(ServerState.UP);
        monitor.onConnectFailure(a, REFUSED);
        await().atMost(Duration.ofSeconds(1)).until(() -> a.state() == ServerState.DOWN);

        await().atMost(Duration.ofSeconds(5)).until(() -> a.state() == ServerState.UP);
        assertThat(a.lastCheck()).extracting(CheckResult::code, CheckResult::detail)
                .containsExactly(CheckCode.PASSIVE, "ejection over");

        monitor.onConnectFailure(a, REFUSED);
        await("the trial connection failed").atMost(Duration.ofSeconds(1)).until(() -> a.state() == ServerState.DOWN);
    }
}
