package io.portier.core.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.portier.config.HealthConfig;
import io.portier.config.PoolConfig;
import io.portier.config.ServerConfig;
import io.portier.core.pool.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Not a timed test: prints the CPU the health checks of 1,000 servers with a 1 s interval cost.
 * Run with {@code -Dportier.bench=true -Dtest=HealthCheckBenchmark}.
 */
@EnabledIfSystemProperty(named = "portier.bench", matches = "true")
class HealthCheckBenchmark extends HealthTestSupport {

    @Test
    void thousandServersCheckedEverySecond() throws Exception {
        EventLoopGroup backendLoops = TRANSPORT.newGroup(1, "bench-backend");
        closeAfter.add(() -> backendLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        List<Channel> listeners = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            listeners.add(new ServerBootstrap().group(backendLoops).channel(TRANSPORT.serverChannelClass())
                    .childHandler(new CloseAtOnce())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel());
        }
        List<ServerConfig> configs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int port = ((InetSocketAddress) listeners.get(i % listeners.size()).localAddress()).getPort();
            configs.add(serverConfig("s" + i, port));
        }
        PoolConfig config = pool(health(HealthConfig.Type.TCP, 1000, 2, 3), configs.toArray(new ServerConfig[0]));
        List<Server> servers = servers(config);
        start(config, servers);
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> checks(s, "ok") >= 1));
        Thread.sleep(5_000); // JIT warm-up before the measurement window

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("health-test")).mapToLong(Thread::getId).toArray();
        long cpu0 = cpu(mx, ids);
        long user0 = user(mx, ids);
        double checks0 = totalChecks(servers);
        long t0 = System.nanoTime();
        Thread.sleep(10_000); // a measurement window, not a wait for a condition
        long wall = System.nanoTime() - t0;
        long cpu = cpu(mx, ids) - cpu0;
        long user = user(mx, ids) - user0;
        double checks = totalChecks(servers) - checks0;

        System.out.printf("health bench (%s): %.0f checks/s, %.2f%% of one core (%.2f%% user, the rest kernel),"
                        + " %.1f us CPU per check%n",
                TRANSPORT.name(), checks * 1e9 / wall, 100.0 * cpu / wall, 100.0 * user / wall, cpu / 1e3 / checks);
        assertThat(checks).isGreaterThan(0);
    }

    private double totalChecks(List<Server> servers) {
        return servers.stream().mapToDouble(s -> checks(s, "ok") + checks(s, "fail")).sum();
    }

    private static long user(ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadUserTime(id));
        }
        return sum;
    }

    private static long cpu(ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    @io.netty.channel.ChannelHandler.Sharable
    private static final class CloseAtOnce extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
