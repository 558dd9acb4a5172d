package io.portier.core.balance;

import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Smooth weighted round-robin, the algorithm of nginx's {@code ngx_http_upstream_get_peer}: weights
 * 5:1:1 give {@code a a b a c a a}, not {@code a a a a a b c}.
 *
 * <p>How it stays lock-free: nginx runs the algorithm under a lock, updating every peer's
 * "current weight" on each pick. Here the whole cycle is computed once instead: a {@link Schedule}
 * holds the weight vector it was built for and the smooth sequence of server indices for one cycle
 * (length = sum of the weights divided by their gcd). Picks walk the sequence with a shared
 * {@link AtomicLong} cursor. Each pick reads every server's {@link Server#effectiveWeight()}; when the
 * vector differs from the schedule's, the picking thread builds a new schedule and publishes it
 * through a volatile field (copy-on-write; two threads may build at once, the last write wins and a
 * stale one is replaced on the next pick). Only that rebuild allocates.
 *
 * <p>Skipping ineligible servers: a pick scans forward from the cursor for the first eligible entry
 * and moves the cursor just past it with a compare-and-set (retrying from the new cursor if another
 * thread moved it first). The skipped entries are consumed too, so the eligible servers get exactly
 * the sub-sequence they had, in their proportions, rather than the entry after a run of ineligible
 * ones absorbing its share. The scan is bounded by {@link #SCAN_LIMIT} entries; when that finds
 * nothing (almost all the weight is ineligible) the pick falls back to a linear scan choosing an
 * eligible server at random in proportion to weight, and leaves the cursor alone.
 *
 * <p>Cost: a pick is O(servers) to compare weights, plus the scan. A rebuild is
 * O(cycle length × servers); cycle length is at most 256 × servers.
 */
final class RoundRobinBalancer implements Balancer {
    /** Entries scanned from the cursor before falling back to a weighted linear scan. */
    static final int SCAN_LIMIT = 256;

    private final Server[] servers;
    private final AtomicLong cursor = new AtomicLong();
    private volatile Schedule schedule;

    RoundRobinBalancer(List<Server> servers) {
        this.servers = servers.toArray(new Server[0]);
        this.schedule = Schedule.build(currentWeights());
    }

    @Override
    public Server pick(InetAddress client, Predicate<Server> eligible) {
        Schedule s = current();
        int[] sequence = s.sequence;
        int length = sequence.length;
        if (length == 0) {
            return null;
        }
        int limit = Math.min(length, SCAN_LIMIT);
        retry:
        while (true) {
            long c = cursor.get();
            int pos = Math.floorMod(c, length);
            for (int k = 0; k < limit; k++) {
                Server candidate = servers[sequence[pos]];
                if (eligible.test(candidate)) {
                    if (cursor.compareAndSet(c, c + k + 1)) {
                        return candidate;
                    }
                    continue retry;
                }
                if (++pos == length) {
                    pos = 0;
                }
            }
            // limit == length means every weighted server was tested: none is eligible.
            return limit == length ? null : weightedFallback(eligible);
        }
    }

    /** The schedule for the weights as they are now, rebuilt when they changed. */
    private Schedule current() {
        Schedule s = schedule;
        int[] built = s.weights;
        for (int i = 0; i < servers.length; i++) {
            if (Math.max(0, servers[i].effectiveWeight()) != built[i]) {
                s = Schedule.build(currentWeights());
                schedule = s;
                return s;
            }
        }
        return s;
    }

    private Server weightedFallback(Predicate<Server> eligible) {
        long total = 0;
        for (int i = 0; i < servers.length; i++) {
            int w = servers[i].effectiveWeight();
            if (w > 0 && eligible.test(servers[i])) {
                total += w;
            }
        }
        if (total == 0) {
            return null;
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        Server last = null;
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            int w = s.effectiveWeight();
            if (w > 0 && eligible.test(s)) {
                last = s;
                if ((r -= w) < 0) {
                    return s;
                }
            }
        }
        return last; // weights or eligibility changed between the two scans
    }

    private int[] currentWeights() {
        int[] weights = new int[servers.length];
        for (int i = 0; i < servers.length; i++) {
            weights[i] = Math.max(0, servers[i].effectiveWeight());
        }
        return weights;
    }

    /** One smooth cycle for one weight vector. Immutable once published. */
    static final class Schedule {
        /** The effective weights this schedule was built for, indexed like the servers. */
        final int[] weights;
        /** Server indices in pick order; empty when every weight is 0. */
        final int[] sequence;

        private Schedule(int[] weights, int[] sequence) {
            this.weights = weights;
            this.sequence = sequence;
        }

        /** Runs nginx's smooth weighted round-robin for one full cycle of the reduced weights. */
        static Schedule build(int[] weights) {
            int gcd = 0;
            for (int w : weights) {
                gcd = gcd(gcd, w);
            }
            int n = weights.length;
            int[] reduced = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                reduced[i] = gcd == 0 ? 0 : weights[i] / gcd;
                total += reduced[i];
            }
            int[] sequence = new int[total];
            long[] currentWeight = new long[n];
            for (int step = 0; step < total; step++) {
                int best = -1;
                for (int i = 0; i < n; i++) {
                    if (reduced[i] == 0) {
                        continue;
                    }
                    currentWeight[i] += reduced[i];
                    if (best < 0 || currentWeight[i] > currentWeight[best]) {
                        best = i;
                    }
                }
                currentWeight[best] -= total;
                sequence[step] = best;
            }
            return new Schedule(weights, sequence);
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }
    }
}
