package io.portier.core.balance;

import io.portier.core.pool.Server;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.portier.core.balance.TestServers.ANY;
import static io.portier.core.balance.TestServers.assertSharesFollowWeights;
import static io.portier.core.balance.TestServers.ipv4;
import static io.portier.core.balance.TestServers.servers;
import static org.assertj.core.api.Assertions.assertThat;

class SourceHashBalancerTest {
    private static final int BASE = 0x0A00_0000; // 10.0.0.0

    @Test
    void sourceHashSpreadsByWeightWithin2Percent() {
        List<Server> servers = servers(1, 2, 3);
        Balancer balancer = Balancer.sourceHash(servers);
        int[] counts = new int[3];
        for (int i = 0; i < 60_000; i++) {
            counts[servers.indexOf(balancer.pick(ipv4(BASE + i), ANY))]++;
        }
        assertSharesFollowWeights(counts, new int[] {1, 2, 3}, 0.02);
    }

    @Test
    void ipv6ClientsSpreadEvenly() throws Exception {
        List<Server> servers = servers(1, 1, 1, 1);
        Balancer balancer = Balancer.sourceHash(servers);
        int[] counts = new int[4];
        byte[] address = InetAddress.getByName("2001:db8::").getAddress();
        for (int i = 0; i < 20_000; i++) {
            address[14] = (byte) (i >>> 8);
            address[15] = (byte) i;
            counts[servers.indexOf(balancer.pick(InetAddress.getByAddress(address), ANY))]++;
        }
        assertSharesFollowWeights(counts, new int[] {1, 1, 1, 1}, 0.05);
    }

    @Test
    void sameClientAlwaysGetsTheSameServer() {
        List<Server> servers = servers(1, 2, 3, 1, 1);
        Balancer balancer = Balancer.sourceHash(servers);
        // A reload builds a new balancer over new servers, maybe listed in another order.
        List<Server> reloaded = servers(1, 2, 3, 1, 1);
        Collections.reverse(reloaded);
        Balancer afterReload = Balancer.sourceHash(reloaded);
        for (int i = 0; i < 1_000; i++) {
            InetAddress client = ipv4(BASE + i * 7919);
            Server first = balancer.pick(client, ANY);
            for (int repeat = 0; repeat < 3; repeat++) {
                assertThat(balancer.pick(client, ANY)).isSameAs(first);
            }
            assertThat(afterReload.pick(client, ANY).name()).isEqualTo(first.name());
        }
    }

    @Test
    void removingOneOfFiveServersMovesOnlyItsClients() {
        List<Server> five = servers(1, 1, 1, 1, 1);
        List<Server> four = new ArrayList<>(five);
        Server removed = four.remove(2);
        Balancer before = Balancer.sourceHash(five);
        Balancer after = Balancer.sourceHash(four);
        int clients = 20_000;
        int moved = 0;
        for (int i = 0; i < clients; i++) {
            InetAddress client = ipv4(BASE + i);
            Server was = before.pick(client, ANY);
            Server now = after.pick(client, ANY);
            if (was != now) {
                moved++;
                assertThat(was).as("a client that moved was on the removed server").isSameAs(removed);
            }
        }
        assertThat((double) moved / clients).isBetween(0.15, 0.25);
    }

    @Test
    void clientsOfAnIneligibleServerMoveToTheirNextServerAndComeBack() {
        List<Server> servers = servers(1, 1, 1, 1);
        Server out = servers.get(1);
        Balancer balancer = Balancer.sourceHash(servers);
        int movedAway = 0;
        for (int i = 0; i < 4_000; i++) {
            InetAddress client = ipv4(BASE + i);
            Server usual = balancer.pick(client, ANY);
            Server meanwhile = balancer.pick(client, s -> s != out);
            assertThat(meanwhile).isNotSameAs(out);
            if (usual != out) {
                assertThat(meanwhile).isSameAs(usual);
            } else {
                movedAway++;
            }
            assertThat(balancer.pick(client, ANY)).isSameAs(usual);
        }
        assertThat(movedAway).isBetween(800, 1_200);
    }

    @Test
    void raisingOneWeightOnlyMovesClientsToThatServer() {
        List<Server> servers = servers(1, 1, 1);
        Balancer balancer = Balancer.sourceHash(servers);
        Server[] before = new Server[3_000];
        for (int i = 0; i < before.length; i++) {
            before[i] = balancer.pick(ipv4(BASE + i), ANY);
        }
        Server heavier = servers.get(0);
        heavier.setWeightOverride(2);
        int onHeavier = 0;
        for (int i = 0; i < before.length; i++) {
            Server now = balancer.pick(ipv4(BASE + i), ANY);
            assertThat(now == before[i] || now == heavier).isTrue();
            if (now == heavier) {
                onHeavier++;
            }
        }
        assertThat(onHeavier).isBetween(1_350, 1_650); // half of the clients for weight 2 of 4
    }
}
