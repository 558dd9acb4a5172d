package io.portier.core.balance;

import io.portier.config.Balance;
import io.portier.core.pool.Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.portier.core.balance.TestServers.ANY;
import static io.portier.core.balance.TestServers.CLIENT;
import static io.portier.core.balance.TestServers.ipv4;
import static io.portier.core.balance.TestServers.runConcurrently;
import static io.portier.core.balance.TestServers.servers;
import static org.assertj.core.api.Assertions.assertThat;

/** What every algorithm promises, whatever its strategy. */
class BalancerContractTest {

    @ParameterizedTest
    @EnumSource(Balance.class)
    void returnsNullWhenNoServerIsEligible(Balance algorithm) {
        Balancer balancer = Balancer.of(algorithm, servers(1, 2, 3));
        assertThat(balancer.pick(CLIENT, s -> false)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void returnsNullForAPoolWithoutServers(Balance algorithm) {
        assertThat(Balancer.of(algorithm, List.of()).pick(CLIENT, ANY)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void neverPicksAZeroWeightServer(Balance algorithm) {
        List<Server> servers = servers(1, 0, 1);
        Server zero = servers.get(1);
        Balancer balancer = Balancer.of(algorithm, servers);
        for (int i = 0; i < 1_000; i++) {
            assertThat(balancer.pick(ipv4(i), ANY)).isNotNull().isNotSameAs(zero);
        }
        assertThat(balancer.pick(CLIENT, s -> s == zero)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void serverWeightedToZeroAtRunTimeIsNoLongerPicked(Balance algorithm) {
        List<Server> servers = servers(1, 1);
        Balancer balancer = Balancer.of(algorithm, servers);
        servers.get(0).setWeightOverride(0);
        for (int i = 0; i < 1_000; i++) {
            assertThat(balancer.pick(ipv4(i), ANY)).isSameAs(servers.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void neverPicksAnIneligibleServer(Balance algorithm) {
        List<Server> servers = servers(1, 2, 3, 1);
        Balancer balancer = Balancer.of(algorithm, servers);
        for (int i = 0; i < 1_000; i++) {
            Server skipped = servers.get(i % 4);
            Server picked = balancer.pick(ipv4(i), s -> s != skipped);
            assertThat(picked).isNotNull().isNotSameAs(skipped);
        }
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void concurrentPicksAllSucceedAndAddUp(Balance algorithm) throws Exception {
        List<Server> servers = servers(1, 2, 3);
        int[][] perThread = runConcurrently(Balancer.of(algorithm, servers), servers, 4, 50_000, null);
        long total = 0;
        for (int[] counts : perThread) {
            for (int n : counts) {
                total += n;
            }
        }
        assertThat(total).isEqualTo(200_000);
    }
}
