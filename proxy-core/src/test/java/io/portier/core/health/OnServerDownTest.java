package io.portier.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.core.pool.Server;
import io.portier.core.pool.ServerState;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OnServerDownTest extends HealthTestSupport {
    private static final ChannelInitializer<Channel> NOTHING = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
        }
    };

    @Test
    void closeEndsTheLiveConnectionsOfAServerThatGoesDown() {
        Server a = startWithConnections(PoolConfig.OnServerDown.CLOSE);
        List<Channel> live = List.copyOf(a.connections());

        goDown(a);

        await().atMost(Duration.ofSeconds(5)).until(() -> live.stream().noneMatch(Channel::isOpen));
        assertThat(live).allSatisfy(ch -> assertThat(ch.attr(EndReasons.END_REASON).get()).isEqualTo("server-down"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logLines())
                .anyMatch(l -> l.startsWith("server web/a is DOWN") && l.endsWith("; closed 3 connections")));
    }

    @Test
    void keepLeavesTheLiveConnectionsOfAServerThatGoesDown() {
        Server a = startWithConnections(PoolConfig.OnServerDown.KEEP);
        List<Channel> live = List.copyOf(a.connections());

        goDown(a);
        await().atMost(Duration.ofSeconds(5)).until(() -> !logLines().isEmpty());
        for (Channel ch : live) {
            ch.eventLoop().submit(() -> { }).syncUninterruptibly(); // anything queued on its loop has run
        }

        assertThat(live).allMatch(Channel::isActive);
        assertThat(live).allSatisfy(ch -> assertThat(ch.attr(EndReasons.END_REASON).get()).isNull());
    }

    @Test
    void anEndReasonAlreadySetWins() {
        Server a = startWithConnections(PoolConfig.OnServerDown.KEEP);
        Channel first = a.connections().iterator().next();
        first.attr(EndReasons.END_REASON).set("idle-timeout");

        assertThat(EndReasons.closeConnections(a, "server-down")).isEqualTo(3);

        await().atMost(Duration.ofSeconds(5)).until(() -> a.connections().stream().noneMatch(Channel::isOpen));
        assertThat(first.attr(EndReasons.END_REASON).get()).isEqualTo("idle-timeout");
    }

    /** A pool with one server "a" and three real connected channels registered as its connections. */
    private Server startWithConnections(PoolConfig.OnServerDown onDown) {
        Channel listener = new ServerBootstrap().group(loops).channel(TRANSPORT.serverChannelClass())
                .childHandler(NOTHING)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
        closeAfter.add(() -> listener.close().syncUninterruptibly());
        PoolConfig config = pool(withPassive(health(HealthConfig.Type.NONE, 1000, 2, 3), 1, Duration.ofMinutes(1)),
                onDown, Duration.ZERO, serverConfig("a", ((InetSocketAddress) listener.localAddress()).getPort()));
        List<Server> servers = servers(config);
        Server a = servers.get(0);
        Bootstrap client = new Bootstrap().group(loops).channel(TRANSPORT.channelClass())
                .handler(NOTHING);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Channel ch = client.connect(listener.localAddress()).syncUninterruptibly().channel();
            channels.add(ch);
            a.connections().add(ch);
        }
        closeAfter.add(() -> channels.forEach(Channel::close));
        start(config, servers);
        return a;
    }

    private void goDown(Server a) {
        monitor.onConnectFailure(a, new ConnectException("Connection refused"));
        await().atMost(Duration.ofSeconds(1)).until(() -> a.state() == ServerState.DOWN);
    }
}
