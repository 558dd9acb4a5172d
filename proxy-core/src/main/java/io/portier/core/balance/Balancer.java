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
 */
public interface Balancer {

    /**
     * Picks one of the servers the balancer was made with.
     *
     * @param client   the client's address (used by source-hash; others may ignore it)
     * @param eligible which servers may be chosen now (state, tried already, backup or not)
     * @return the server, or null when none is eligible
     */
    Server pick(InetAddress client, Predicate<Server> eligible);

    /** @param servers the pool's servers in config order; weights are read at pick time */
    static Balancer of(Balance algorithm, List<Server> servers) {
        throw new UnsupportedOperationException("TODO " + algorithm);
    }
}
