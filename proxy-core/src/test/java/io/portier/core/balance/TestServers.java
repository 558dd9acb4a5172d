package io.portier.core.balance;

import io.portier.config.LimitsConfig;
import io.portier.config.ServerConfig;
import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Servers, clients and load for balancer tests. */
final class TestServers {
    static final Predicate<Server> ANY = s -> true;
    static final InetAddress CLIENT = ipv4(0x0A00_0001);

    private TestServers() {}

    static Server server(String name, int weight) {
        return server(name, weight, LimitsConfig.UNLIMITED);
    }

    static Server server(String name, int weight, long maxConnections) {
        ServerConfig config = new ServerConfig(name, "127.0.0.1", 9001, weight, false,
                maxConnections);
        return new Server("web", config, Duration.ZERO, true, System::nanoTime);
    }

    /** Servers named a, b, c... with these weights. */
    static List<Server> servers(int... weights) {
        List<Server> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(server(String.valueOf((char) ('a' + i)), weights[i]));
        }
        return list;
    }

    static InetAddress ipv4(int address) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Counts picks per server (index in {@code servers}); fails on a null pick. */
    static int[] countPicks(Balancer balancer, List<Server> servers, int picks) {
        int[] counts = new int[servers.size()];
        for (int i = 0; i < picks; i++) {
            Server s = balancer.pick(CLIENT, ANY);
            assertThat(s).isNotNull();
            counts[servers.indexOf(s)]++;
        }
        return counts;
    }

    /**
     * Picks under load: each pick acquires a connection and, past {@code open} connections, the
     * oldest one is released, so active counts stay bounded like a steady stream of clients.
     */
    static int[] countPicksUnderLoad(Balancer balancer, List<Server> servers, int picks, int open) {
        int[] counts = new int[servers.size()];
        ArrayDeque<Server> live = new ArrayDeque<>();
        for (int i = 0; i < picks; i++) {
            Server s = balancer.pick(CLIENT, Server::isAvailable);
            assertThat(s).isNotNull();
            assertThat(s.tryAcquire()).isTrue();
            live.addLast(s);
            if (live.size() > open) {
                live.removeFirst().release();
            }
            counts[servers.indexOf(s)]++;
        }
        while (!live.isEmpty()) {
            live.removeFirst().release();
        }
        return counts;
    }

    /** Each server's share of the picks is within {@code relative} (0.02 = 2%) of its weight share. */
    static void assertSharesFollowWeights(int[] counts, int[] weights, double relative) {
        long total = 0;
        long weightTotal = 0;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            weightTotal += weights[i];
        }
        for (int i = 0; i < counts.length; i++) {
            double expected = (double) weights[i] / weightTotal;
            double actual = (double) counts[i] / total;
            assertThat(actual)
                    .as("share of server %d (weight %d of %d), counts %s", i, weights[i], weightTotal,
                            Arrays.toString(counts))
                    .isCloseTo(expected, within(expected * relative));
        }
    }

    /**
     * Runs pickers (and an optional side task, interrupted at the end) at once, bounded in time;
     * each picker returns its counts per server and fails on a null pick.
     */
    static int[][] runConcurrently(Balancer balancer, List<Server> servers, int threads, int picks,
                                   Runnable sideTask) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            if (sideTask != null) {
                pool.submit(() -> {
                    start.await();
                    sideTask.run();
                    return null;
                });
            }
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    int[] counts = new int[servers.size()];
                    for (int i = 0; i < picks; i++) {
                        Server s = balancer.pick(CLIENT, ANY);
                        if (s == null) {
                            throw new AssertionError("no server picked");
                        }
                        counts[servers.indexOf(s)]++;
                    }
                    return counts;
                }));
            }
            start.countDown();
            int[][] result = new int[threads][];
            for (int t = 0; t < threads; t++) {
                result[t] = futures.get(t).get(60, TimeUnit.SECONDS);
            }
            return result;
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
