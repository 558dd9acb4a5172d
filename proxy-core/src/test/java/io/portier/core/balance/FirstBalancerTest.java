package io.portier.core.balance;

import io.portier.core.pool.Server;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.portier.core.balance.TestServers.ANY;
import static io.portier.core.balance.TestServers.CLIENT;
import static io.portier.core.balance.TestServers.server;
import static org.assertj.core.api.Assertions.assertThat;

class FirstBalancerTest {

    @Test
    void fillsTheFirstServerToItsMaxConnectionsThenMovesToTheNext() {
        Server a = server("a", 1, 3);
        Server b = server("b", 1, 2);
        Balancer balancer = Balancer.first(List.of(a, b));
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            Server s = balancer.pick(CLIENT, Server::isAvailable);
            assertThat(s.tryAcquire()).isTrue();
            picks.append(s.name());
        }
        assertThat(picks).hasToString("aaabb");
        assertThat(balancer.pick(CLIENT, Server::isAvailable)).isNull();

        a.release();
        assertThat(balancer.pick(CLIENT, Server::isAvailable)).isSameAs(a);
    }

    @Test
    void checksMaxConnectionsEvenWhenThePredicateDoesNot() {
        Server a = server("a", 1, 1);
        Server b = server("b", 1);
        assertThat(a.tryAcquire()).isTrue();
        assertThat(Balancer.first(List.of(a, b)).pick(CLIENT, ANY)).isSameAs(b);
    }

    @Test
    void unlimitedServerTakesEveryConnection() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        Balancer balancer = Balancer.first(List.of(a, b));
        for (int i = 0; i < 1_000; i++) {
            Server s = balancer.pick(CLIENT, Server::isAvailable);
            assertThat(s).isSameAs(a);
            assertThat(s.tryAcquire()).isTrue();
        }
    }

    @Test
    void skipsIneligibleAndZeroWeightServersInOrder() {
        Server a = server("a", 1);
        Server b = server("b", 0);
        Server c = server("c", 1);
        assertThat(Balancer.first(List.of(a, b, c)).pick(CLIENT, s -> s != a)).isSameAs(c);
    }
}
