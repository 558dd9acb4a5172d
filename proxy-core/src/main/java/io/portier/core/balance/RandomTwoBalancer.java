package io.portier.core.balance;

import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Power of two choices, weighted: draws two distinct eligible servers, each with probability in
 * proportion to its weight, and takes the one with the lower {@code active / weight} (compared by
 * cross-multiplication; a tie keeps the first draw). With every server idle the first draw always
 * wins, so the picks follow the weights exactly in expectation; under load the second choice steers
 * away from hot servers without the herd effect of a global least-connections scan.
 *
 * <p>Per pick: one scan to total the eligible weight, then one scan per draw (the second skips the
 * first server). Randomness from {@link ThreadLocalRandom}; no lock, no allocation. Weights or
 * eligibility changing between the scans cannot make a pick fail while some server is eligible:
 * a draw that runs past the end takes the last eligible server it saw.
 */
final class RandomTwoBalancer implements Balancer {
    private final Server[] servers;

    RandomTwoBalancer(List<Server> servers) {
        this.servers = servers.toArray(new Server[0]);
    }

    @Override
    public Server pick(InetAddress client, Predicate<Server> eligible) {
        long total = 0;
        int count = 0;
        int last = -1;
        for (int i = 0; i < servers.length; i++) {
            int w = servers[i].effectiveWeight();
            if (w > 0 && eligible.test(servers[i])) {
                total += w;
                count++;
                last = i;
            }
        }
        if (count == 0) {
            return null;
        }
        if (count == 1) {
            return servers[last];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = draw(random.nextLong(total), -1, eligible);
        if (first < 0) {
            return null;
        }
        Server a = servers[first];
        long restTotal = total - Math.max(0, a.effectiveWeight());
        int second = draw(random.nextLong(Math.max(1, restTotal)), first, eligible);
        if (second < 0) {
            return a;
        }
        Server b = servers[second];
        // a.active / wa <= b.active / wb, weights positive as drawn
        long wa = a.effectiveWeight();
        long wb = b.effectiveWeight();
        return (long) a.active() * wb <= (long) b.active() * wa ? a : b;
    }

    /**
     * Walks the eligible servers, skipping {@code exclude}, subtracting weights from {@code r}.
     *
     * @return the index where r falls, the last eligible index if r runs past, or -1 if none
     */
    private int draw(long r, int exclude, Predicate<Server> eligible) {
        int last = -1;
        for (int i = 0; i < servers.length; i++) {
            if (i == exclude) {
                continue;
            }
            int w = servers[i].effectiveWeight();
            if (w > 0 && eligible.test(servers[i])) {
                last = i;
                if ((r -= w) < 0) {
                    return i;
                }
            }
        }
        return last;
    }
}
