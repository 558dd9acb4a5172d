package io.portier.core.balance;

import io.portier.config.Balance;
import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * Picks a server for a new backend connection.
 *
 * <p>Thread-safety: one instance serves a pool for every event loop, so {@link #pick} is called
 * concurrently; implementations take no lock and allocate nothing per pick.
 *
 * <p>Weights: every algorithm reads {@link Server#effectiveWeight()} at pick time, so slow start
 * and admin weight overrides take effect on the next pick. A server whose effective weight is 0 is
 * never picked, even when it is the only eligible one (pick then returns null).
 */
public interface Balancer {

    /**
     * Picks one of the servers the balancer was made with.
     *
     * @param client   the client's address (used by source-hash; others may ignore it; may be null)
     * @param eligible which servers may be chosen now (state, tried already, backup or not); it is
     *                 called from the picking thread and must be cheap and free of side effects
     * @return the server, or null when none is eligible
     */
    Server pick(InetAddress client, Predicate<Server> eligible);

    /** @param servers the pool's servers in config order; weights are read at pick time */
    static Balancer of(Balance algorithm, List<Server> servers) {
        // A switch expression over the enum: a new algorithm without a case does not compile.
        return switch (algorithm) {
            case ROUND_ROBIN -> roundRobin(servers);
            case LEAST_CONNECTIONS -> leastConnections(servers);
            case RANDOM_TWO -> randomTwo(servers);
            case SOURCE_HASH -> sourceHash(servers);
            case FIRST -> first(servers);
        };
    }

    /** Smooth weighted round-robin (nginx's algorithm): a a b a c a a for weights 5:1:1. */
    static Balancer roundRobin(List<Server> servers) {
        return new RoundRobinBalancer(servers);
    }

    /** The eligible server with the fewest active connections per unit of weight. */
    static Balancer leastConnections(List<Server> servers) {
        return new LeastConnectionsBalancer(servers);
    }

    /** Power of two choices: two servers drawn by weight, the less loaded one wins. */
    static Balancer randomTwo(List<Server> servers) {
        return new RandomTwoBalancer(servers);
    }

    /** Consistent hashing of the client address (weighted rendezvous hashing). */
    static Balancer sourceHash(List<Server> servers) {
        return new SourceHashBalancer(servers);
    }

    /** The first eligible server in config order that is under its max-connections. */
    static Balancer first(List<Server> servers) {
        return new FirstBalancer(servers);
    }
}
