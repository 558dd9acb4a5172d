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

class RandomTwoBalancerTest {

    @Test
    void randomTwoSpreadsByWeightWithin2Percent() {
        List<Server> servers = servers(1, 2, 3);
        int[] counts = countPicksUnderLoad(Balancer.randomTwo(servers), servers, 60_000, 60);
        assertSharesFollowWeights(counts, new int[] {1, 2, 3}, 0.02);
    }

    @Test
    void idleServersArePickedInProportionToWeight() {
        List<Server> servers = servers(1, 2, 3);
        // Pure sampling here (no load feedback): 5% is about five standard deviations for the 1/6 share.
        int[] counts = countPicks(Balancer.randomTwo(servers), servers, 60_000);
        assertSharesFollowWeights(counts, new int[] {1, 2, 3}, 0.05);
    }

    @Test
    void lessLoadedOfTheTwoWins() {
        List<Server> servers = servers(1, 1);
        for (int i = 0; i < 3; i++) {
            assertThat(servers.get(0).tryAcquire()).isTrue();
        }
        Balancer balancer = Balancer.randomTwo(servers);
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.pick(CLIENT, ANY)).isSameAs(servers.get(1));
        }
    }

    @Test
    void loadIsComparedPerUnitOfWeight() {
        List<Server> servers = servers(1, 4);
        for (int i = 0; i < 3; i++) {
            assertThat(servers.get(1).tryAcquire()).isTrue(); // 3 / 4 < 1 / 1
        }
        assertThat(servers.get(0).tryAcquire()).isTrue();
        Balancer balancer = Balancer.randomTwo(servers);
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.pick(CLIENT, ANY)).isSameAs(servers.get(1));
        }
    }

    @Test
    void onlyEligibleServerIsPickedWhateverItsLoad() {
        List<Server> servers = servers(1, 1, 1);
        Server busy = servers.get(2);
        for (int i = 0; i < 10; i++) {
            assertThat(busy.tryAcquire()).isTrue();
        }
        Balancer balancer = Balancer.randomTwo(servers);
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.pick(CLIENT, s -> s == busy)).isSameAs(busy);
        }
    }
}
