package io.portier.core.balance;

import io.portier.core.pool.Server;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.portier.core.balance.TestServers.ANY;
import static io.portier.core.balance.TestServers.CLIENT;
import static io.portier.core.balance.TestServers.assertSharesFollowWeights;
import static io.portier.core.balance.TestServers.countPicks;
import static io.portier.core.balance.TestServers.countPicksUnderLoad;
import static io.portier.core.balance.TestServers.servers;
import static org.assertj.core.api.Assertions.assertThat;

class LeastConnectionsBalancerTest {

    @Test
    void leastConnectionsSpreadsByWeightWithin2Percent() {
        List<Server> servers = servers(1, 2, 3);
        int[] counts = countPicksUnderLoad(Balancer.leastConnections(servers), servers, 60_000, 60);
        assertSharesFollowWeights(counts, new int[] {1, 2, 3}, 0.02);
    }

    @Test
    void picksTheFewestConnectionsPerUnitOfWeight() {
        List<Server> servers = servers(1, 3);
        acquire(servers.get(0), 2); // (2 + 1) / 1 = 3
        acquire(servers.get(1), 5); // (5 + 1) / 3 = 2
        assertThat(Balancer.leastConnections(servers).pick(CLIENT, ANY)).isSameAs(servers.get(1));
    }

    @Test
    void idleHeavierServerWinsOverIdleLighterOne() {
        List<Server> servers = servers(1, 2);
        Balancer balancer = Balancer.leastConnections(servers);
        for (int i = 0; i < 10; i++) {
            assertThat(balancer.pick(CLIENT, ANY)).isSameAs(servers.get(1));
        }
    }

    @Test
    void tiesRotateAcrossEqualServers() {
        List<Server> servers = servers(1, 1, 1);
        assertThat(countPicks(Balancer.leastConnections(servers), servers, 300)).containsExactly(100, 100, 100);
    }

    @Test
    void skipsIneligibleServerEvenWhenItIsIdlest() {
        List<Server> servers = servers(1, 1);
        acquire(servers.get(0), 4);
        Server idle = servers.get(1);
        assertThat(Balancer.leastConnections(servers).pick(CLIENT, s -> s != idle)).isSameAs(servers.get(0));
    }

    @Test
    void weightChangesTakeEffectOnTheNextPick() {
        List<Server> servers = servers(1, 1);
        Balancer balancer = Balancer.leastConnections(servers);
        servers.get(1).setWeightOverride(5);
        acquire(servers.get(1), 3); // (3 + 1) / 5 < (0 + 1) / 1
        assertThat(balancer.pick(CLIENT, ANY)).isSameAs(servers.get(1));
        servers.get(1).setWeightOverride(0);
        assertThat(balancer.pick(CLIENT, ANY)).isSameAs(servers.get(0));
    }

    private static void acquire(Server server, int connections) {
        for (int i = 0; i < connections; i++) {
            assertThat(server.tryAcquire()).isTrue();
        }
    }
}
