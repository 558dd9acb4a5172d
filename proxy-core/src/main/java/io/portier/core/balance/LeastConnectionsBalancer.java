package io.portier.core.balance;

import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Weighted least connections: the eligible server with the lowest {@code (active + 1) / weight}.
 *
 * <p>The {@code + 1} counts the connection being placed, so an idle heavy server beats an idle light
 * one and weights hold from the first connection. Loads are compared by cross-multiplication in
 * {@code long}, never divided. Ties go to the first server met from a start index that rotates on
 * every pick (a shared {@link AtomicInteger}), so idle equal servers take turns instead of the first
 * one in config order taking every tie.
 *
 * <p>Thread-safety: the scan reads live counters without a lock, so two concurrent picks may both
 * choose the same least loaded server; the next picks see its higher count. One scan of the servers
 * per pick, no allocation.
 */
final class LeastConnectionsBalancer implements Balancer {
    private final Server[] servers;
    private final AtomicInteger rotor = new AtomicInteger();

    LeastConnectionsBalancer(List<Server> servers) {
        this.servers = servers.toArray(new Server[0]);
    }

    @Override
    public Server pick(InetAddress client, Predicate<Server> eligible) {
        int n = servers.length;
        if (n == 0) {
            return null;
        }
        int i = Math.floorMod(rotor.getAndIncrement(), n);
        Server best = null;
        long bestLoad = 0;
        long bestWeight = 1;
        for (int k = 0; k < n; k++) {
            Server s = servers[i];
            if (++i == n) {
                i = 0;
            }
            int w = s.effectiveWeight();
            if (w <= 0 || !eligible.test(s)) {
                continue;
            }
            long load = s.active() + 1L;
            // load / w < bestLoad / bestWeight, both weights positive
            if (best == null || load * bestWeight < bestLoad * w) {
                best = s;
                bestLoad = load;
                bestWeight = w;
            }
        }
        return best;
    }
}
