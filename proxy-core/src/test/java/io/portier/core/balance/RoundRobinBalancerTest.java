package io.portier.core.balance;

import io.portier.core.pool.Server;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.portier.core.balance.TestServers.ANY;
import static io.portier.core.balance.TestServers.CLIENT;
import static io.portier.core.balance.TestServers.assertSharesFollowWeights;
import static io.portier.core.balance.TestServers.countPicks;
import static io.portier.core.balance.TestServers.runConcurrently;
import static io.portier.core.balance.TestServers.servers;
import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinBalancerTest {

    @Test
    void roundRobinSpreadsByWeightWithin2Percent() {
        List<Server> servers = servers(1, 2, 3);
        int[] counts = countPicks(Balancer.roundRobin(servers), servers, 60_000);
        assertSharesFollowWeights(counts, new int[] {1, 2, 3}, 0.02);
        assertThat(counts).containsExactly(10_000, 20_000, 30_000);
    }

    @Test
    void equalWeightsNeverPickTheSameServerTwiceInARow() {
        List<Server> servers = servers(1, 1, 1);
        Balancer balancer = Balancer.roundRobin(servers);
        Server previous = null;
        for (int i = 0; i < 3_000; i++) {
            Server s = balancer.pick(CLIENT, ANY);
            assertThat(s).isNotSameAs(previous);
            previous = s;
        }
    }

    @Test
    void weights5To1To1FollowNginxSmoothSequence() {
        List<Server> servers = servers(5, 1, 1);
        Balancer balancer = Balancer.roundRobin(servers);
        StringBuilder sequence = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            sequence.append(balancer.pick(CLIENT, ANY).name());
        }
        assertThat(sequence).hasToString("aabacaa" + "aabacaa");
    }

    @Test
    void noServerRunsLongerThanItsShareOfACycle() {
        List<Server> servers = servers(1, 2, 3);
        Balancer balancer = Balancer.roundRobin(servers);
        Server previous = null;
        int run = 0;
        for (int i = 0; i < 600; i++) {
            Server s = balancer.pick(CLIENT, ANY);
            run = s == previous ? run + 1 : 1;
            previous = s;
            assertThat(run).as("run of %s", s.name()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void skippingAnIneligibleServerKeepsTheOthersProportions() {
        List<Server> servers = servers(1, 2, 3);
        Server c = servers.get(2);
        Balancer balancer = Balancer.roundRobin(servers);
        int a = 0;
        int b = 0;
        for (int i = 0; i < 600; i++) {
            Server s = balancer.pick(CLIENT, srv -> srv != c);
            assertThat(s).isNotSameAs(c);
            if (s == servers.get(0)) {
                a++;
            } else {
                b++;
            }
        }
        assertThat(a).isEqualTo(200);
        assertThat(b).isEqualTo(400);
    }

    @Test
    void findsTheOnlyEligibleServerBeyondTheScanLimit() {
        List<Server> servers = servers(256, 1);
        Server light = servers.get(1);
        // A 257-entry cycle with light once: from the entry after it, light is 256 entries away,
        // past the scan limit. Try every cursor position.
        for (int start = 0; start < 257; start++) {
            Balancer balancer = Balancer.roundRobin(servers);
            for (int i = 0; i < start; i++) {
                balancer.pick(CLIENT, ANY);
            }
            assertThat(balancer.pick(CLIENT, srv -> srv == light)).isSameAs(light);
            assertThat(balancer.pick(CLIENT, srv -> srv == light)).isSameAs(light);
        }
    }

    @Test
    void weightChangesTakeEffectOnTheNextPick() {
        List<Server> servers = servers(1, 1);
        Balancer balancer = Balancer.roundRobin(servers);
        assertThat(countPicks(balancer, servers, 400)).containsExactly(200, 200);

        servers.get(1).setWeightOverride(3);
        int[] counts = countPicks(balancer, servers, 400);
        assertThat(counts[0]).isBetween(99, 101);
        assertThat(counts[1]).isBetween(299, 301);

        servers.get(0).setWeightOverride(0);
        assertThat(countPicks(balancer, servers, 100)).containsExactly(0, 100);
    }

    @Test
    void concurrentPicksConsumeTheSequenceExactly() throws Exception {
        List<Server> servers = servers(1, 2, 3);
        Balancer balancer = Balancer.roundRobin(servers);
        int[][] perThread = runConcurrently(balancer, servers, 4, 50_000, null);
        int[] counts = new int[3];
        for (int[] t : perThread) {
            for (int i = 0; i < 3; i++) {
                counts[i] += t[i];
            }
        }
        // 200,000 picks are the first 200,000 entries of the cycle c b a c b c: none lost, none doubled.
        assertThat(counts[0]).isBetween(33_333, 33_334);
        assertThat(counts[1]).isBetween(66_666, 66_667);
        assertThat(counts[2]).isBetween(100_000, 100_001);
        assertThat(counts[0] + counts[1] + counts[2]).isEqualTo(200_000);
    }

    @Test
    void concurrentPicksNeverFailWhileWeightsChange() throws Exception {
        List<Server> servers = servers(1, 2, 3);
        Balancer balancer = Balancer.roundRobin(servers);
        Runnable weightChanger = () -> {
            int w = 0;
            while (!Thread.currentThread().isInterrupted()) {
                servers.get(w % 3).setWeightOverride(1 + w % 7);
                w++;
            }
        };
        int[][] perThread = runConcurrently(balancer, servers, 3, 50_000, weightChanger);
        long total = 0;
        for (int[] t : perThread) {
            for (int n : t) {
                total += n;
            }
        }
        assertThat(total).isEqualTo(150_000);
    }
}
