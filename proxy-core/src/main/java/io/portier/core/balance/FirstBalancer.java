package io.portier.core.balance;

import io.portier.config.LimitsConfig;
import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * The first eligible server in config order that is under its max-connections: fills one server
 * before using the next (HAProxy's {@code balance first}), so idle servers can be powered down.
 *
 * <p>The max-connections check is repeated here although {@link Server#isAvailable()} makes it too,
 * because the eligibility predicate is the caller's and need not include it. Like every check
 * before {@link Server#tryAcquire()}, it is a hint: concurrent picks may race for the last slot and
 * the loser's tryAcquire fails. One scan, no allocation.
 */
final class FirstBalancer implements Balancer {
    private final Server[] servers;

    FirstBalancer(List<Server> servers) {
        this.servers = servers.toArray(new Server[0]);
    }

    @Override
    public Server pick(InetAddress client, Predicate<Server> eligible) {
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            if (s.effectiveWeight() > 0 && underMax(s) && eligible.test(s)) {
                return s;
            }
        }
        return null;
    }

    private static boolean underMax(Server s) {
        long max = s.config().maxConnections();
        return max == LimitsConfig.UNLIMITED || s.active() < max;
    }
}
