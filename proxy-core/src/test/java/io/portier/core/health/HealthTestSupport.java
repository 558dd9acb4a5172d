package io.portier.core.health;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.portier.config.Balance;
import io.portier.config.HealthConfig;
import io.portier.config.LimitsConfig;
import io.portier.config.PoolConfig;
import io.portier.config.PortierConfig;
import io.portier.config.ServerConfig;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import io.portier.core.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * What the health tests share: event loops, a meter registry, a log capture, config builders and a
 * monitor that is closed after each test. Backends are in {@link TestBackends}.
 */
abstract class HealthTestSupport {
    /** epoll on Linux, else NIO; {@code -Dportier.test.transport=nio} forces NIO. */
    static final Transport TRANSPORT = Transport.select(PortierConfig.Transport.valueOf(
            System.getProperty("portier.test.transport", "auto").toUpperCase(java.util.Locale.ROOT)));
    static final HealthConfig.Http NO_HTTP = new HealthConfig.Http("/", 200, 399, "");
    static final HealthConfig.Passive NO_PASSIVE = new HealthConfig.Passive(0, Duration.ofSeconds(30));

    EventLoopGroup loops;
    MeterRegistry registry;
    ListAppender<ILoggingEvent> logs;
    HealthMonitor monitor;
    final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void setUpLoops() {
        loops = TRANSPORT.newGroup(2, "health-test");
        registry = new SimpleMeterRegistry();
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.portier.core.health")).addAppender(logs);
    }

    @AfterEach
    void tearDownLoops() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        ((Logger) LoggerFactory.getLogger("io.portier.core.health")).detachAppender(logs);
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    static HealthConfig health(HealthConfig.Type type, long intervalMs, int rise, int fall) {
        return new HealthConfig(type, Duration.ofMillis(intervalMs), Duration.ofMillis(1000), rise, fall,
                "", "", NO_HTTP, NO_PASSIVE);
    }

    static HealthConfig withPassive(HealthConfig h, int failures, Duration ejection) {
        return new HealthConfig(h.type(), h.interval(), h.timeout(), h.rise(), h.fall(), h.send(), h.expect(),
                h.http(), new HealthConfig.Passive(failures, ejection));
    }

    static ServerConfig serverConfig(String name, int port) {
        return new ServerConfig(name, "127.0.0.1", port, 1, false, LimitsConfig.UNLIMITED);
    }

    static PoolConfig pool(HealthConfig health, PoolConfig.OnServerDown onDown, Duration slowStart,
                           ServerConfig... servers) {
        return new PoolConfig("web", Balance.ROUND_ROBIN, 2, List.of(servers), health, slowStart, onDown);
    }

    static PoolConfig pool(HealthConfig health, ServerConfig... servers) {
        return pool(health, PoolConfig.OnServerDown.KEEP, Duration.ZERO, servers);
    }

    /** The run-time servers of {@code config}, each starting as {@link HealthMonitor#initialHealthy} says. */
    static List<Server> servers(PoolConfig config, LongSupplier clock) {
        List<Server> out = new ArrayList<>();
        for (ServerConfig sc : config.servers()) {
            out.add(new Server(config.name(), sc, config.slowStart(),
                    HealthMonitor.initialHealthy(config.health()), clock));
        }
        return out;
    }

    static List<Server> servers(PoolConfig config) {
        return servers(config, System::nanoTime);
    }

    /**
     * Starts the monitor under test. The pool-level entry ({@link HealthMonitor#start}) needs a
     * {@link Pool}, and so a balancer; this goes one level down so these tests stand on their own.
     */
    HealthMonitor start(PoolConfig config, List<Server> servers) {
        monitor = PoolHealthMonitor.start(config, servers, loops, TRANSPORT, registry);
        return monitor;
    }

    /**
     * The servers new connections can go to: through {@link Pool#select} when a balancer is there to
     * build a {@link Pool}, else the servers the pool would pick from (available ones).
     */
    static Set<String> selectable(PoolConfig config, List<Server> servers) {
        Pool pool;
        try {
            pool = new Pool(config, servers);
        } catch (UnsupportedOperationException balancerNotBuiltYet) {
            return servers.stream().filter(Server::isAvailable).map(Server::name).collect(Collectors.toSet());
        }
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Server s = pool.select(InetAddress.getLoopbackAddress(), srv -> true);
            if (s != null) {
                picked.add(s.name());
            }
        }
        return picked;
    }

    double checks(Server server, String result) {
        var c = registry.find("portier.health.checks")
                .tags("pool", server.pool(), "server", server.name(), "result", result).counter();
        return c == null ? -1 : c.count();
    }

    List<String> logLines() {
        synchronized (logs) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
        }
    }
}
