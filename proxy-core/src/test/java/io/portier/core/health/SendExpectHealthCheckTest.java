package io.portier.core.health;

import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SendExpectHealthCheckTest extends HealthTestSupport {
    private static final Path REDIS = Path.of("/usr/bin/redis-server");

    static HealthConfig sendExpect(String send, String expect) {
        HealthConfig h = health(HealthConfig.Type.SEND_EXPECT, 50, 2, 3);
        return new HealthConfig(h.type(), h.interval(), Duration.ofMillis(300), h.rise(), h.fall(), send, expect,
                h.http(), h.passive());
    }

    @Test
    void redisAnsweringPongIsUp() throws Exception {
        assumeTrue(Files.isExecutable(REDIS),
                "needs " + REDIS + " (Debian package redis-server, which .ci/run installs)");
        int port = TestBackends.freePort();
        Process redis = new ProcessBuilder(REDIS.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        closeAfter.add(() -> {
            redis.destroy();
            redis.waitFor();
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            }
        });
        PoolConfig config = pool(sendExpect("PING\r\n", "+PONG"), serverConfig("redis", port));
        List<Server> servers = servers(config);
        Server server = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> checks(server, "ok") >= 3);
        assertThat(server.state()).isEqualTo(ServerState.UP);
        assertThat(server.lastCheck().code()).isEqualTo(CheckCode.L7OK);
        assertThat(checks(server, "fail")).isZero();
    }

    @Test
    void serverAnsweringSomethingElseIsDownWithUnexpectedReply() {
        TestBackends.Backend backend = TestBackends.start(0, "-ERR nope\r\n");
        closeAfter.add(backend);
        PoolConfig config = pool(sendExpect("PING\r\n", "+PONG"), serverConfig("redis", backend.port()));
        List<Server> servers = servers(config);
        Server server = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.DOWN);
        assertThat(server.lastCheck().code()).isEqualTo(CheckCode.L7RSP);
        assertThat(server.lastCheck().detail()).isEqualTo("unexpected reply \"-ERR nope\\r\\n\"");
    }

    @Test
    void regexExpectMatchesAnywhereInTheReply() {
        TestBackends.Backend backend = TestBackends.banner("220 mail.example ESMTP ready\r\n");
        closeAfter.add(backend);
        PoolConfig config = pool(sendExpect("", "/^220 .*ESMTP/"), serverConfig("smtp", backend.port()));
        List<Server> servers = servers(config);
        Server server = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> checks(server, "ok") >= 2);
        assertThat(server.state()).isEqualTo(ServerState.UP);
        assertThat(server.lastCheck().code()).isEqualTo(CheckCode.L7OK);
    }

    @Test
    void serverThatNeverAnswersIsDownWithLayer7Timeout() {
        TestBackends.Backend backend = TestBackends.silent();
        closeAfter.add(backend);
        PoolConfig config = pool(sendExpect("PING\r\n", "+PONG"), serverConfig("mute", backend.port()));
        List<Server> servers = servers(config);
        Server server = servers.get(0);
        start(config, servers);

        await().atMost(Duration.ofSeconds(5)).until(() -> server.state() == ServerState.DOWN);
        assertThat(server.lastCheck().code()).isEqualTo(CheckCode.L7TOUT);
        assertThat(server.lastCheck().detail()).isEqualTo("no reply within 300ms");
    }

    @Test
    void judgesPartialRepliesUntilTheyMatchOrEnd() {
        SendExpectHealthCheck check = new SendExpectHealthCheck("PING\r\n", "+PONG");
        assertThat(check.judge("+PO", false)).isNull();
        assertThat(check.judge("+PONG\r\n", false).code()).isEqualTo(CheckCode.L7OK);
        assertThat(check.judge("+PO", true).code()).isEqualTo(CheckCode.L7RSP);
        assertThat(new SendExpectHealthCheck("", "").judge("x", false).code()).isEqualTo(CheckCode.L7OK);
    }

    @Test
    void rejectsAnExpectRegexThatDoesNotCompile() {
        assertThatThrownBy(() -> new SendExpectHealthCheck("", "/(/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("health.expect: /(/ (expected: a substring or a valid /regex/");
    }
}
