package io.portier.perf.jmh;

import io.portier.config.Balance;
import io.portier.config.ConfigLoader;
import io.portier.config.LimitsConfig;
import io.portier.config.PoolConfig;
import io.portier.config.ServerConfig;
import io.portier.core.balance.Balancer;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Server pick, once per new connection: {@link Balancer#pick} alone, and {@link Pool#select} as the
 * relay calls it (availability and backup filters around the balancer, two passes when no
 * non-backup server is eligible).
 *
 * <p>Servers have weights 1, 2, 3, ... so the weighted paths run; clients cycle over 256 addresses
 * so source-hash does not see one key only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerBenchmark {

    @Param({"ROUND_ROBIN", "LEAST_CONNECTIONS", "RANDOM_TWO", "SOURCE_HASH", "FIRST"})
    public Balance algorithm;

    @Param({"2", "16"})
    public int servers;

    private static final Predicate<Server> ANY = s -> true;
    private static final Predicate<Server> NOT_TRIED = s -> true;

    private Balancer balancer;
    private Pool pool;
    private final InetAddress[] clients = new InetAddress[256];
    private int next;

    @Setup
    public void setUp() throws Exception {
        List<Server> list = new ArrayList<>();
        List<ServerConfig> configs = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            ServerConfig c = new ServerConfig("s" + i, "127.0.0.1", 9000 + i, i + 1, false, LimitsConfig.UNLIMITED);
            configs.add(c);
            list.add(new Server("p", c, Duration.ZERO, true, System::nanoTime));
        }
        balancer = Balancer.of(algorithm, list);
        PoolConfig template = ConfigLoader.parse("""
                portier.listeners.l { bind = "127.0.0.1:1", pool = p }
                portier.pools.p { balance = %s, servers = [{ name = s, address = "127.0.0.1:9000" }], health.type = none }
                """.formatted(algorithm.configName()), "jmh").pools().get("p");
        PoolConfig pc = new PoolConfig(template.name(), algorithm, template.retries(), configs, template.health(),
                template.slowStart(), template.onServerDown());
        pool = new Pool(pc, list);
        for (int i = 0; i < clients.length; i++) {
            clients[i] = client(i);
        }
    }

    private static InetAddress client(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i});
    }

    @Benchmark
    public Server pick() {
        Server s = balancer.pick(clients[next++ & 255], ANY);
        return s;
    }

    /** Pick plus the connection slot the relay takes and gives back, as on accept. */
    @Benchmark
    public Server poolSelectAcquireRelease() {
        Server s = pool.select(clients[next++ & 255], NOT_TRIED);
        if (s.tryAcquire()) {
            s.release();
        }
        return s;
    }
}
