package io.portier.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.portier.core.listener.ListenerPort;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SocketOptionsTest {

    @ParameterizedTest(name = "tcp-keepalive = {0}")
    @ValueSource(booleans = {false, true})
    void bothConnectionsHaveNoDelayHalfClosureAndTheListenersKeepAlive(boolean keepAlive) throws Exception {
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 1
                       listeners.l { bind = "127.0.0.1:0", pool = p, tcp-keepalive = %s }
                       pools.p { servers = [{ name = s, address = "%s" }], health.type = none }
                     }
                     """.formatted(keepAlive ? "on" : "off", backend.address()));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            ListenerPort port = proxy.portier().listeners().get("l").ports().values().iterator().next();
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 1);
            Channel frontend = port.live().iterator().next();
            FrontendHandler relay = (FrontendHandler) frontend.pipeline().get(PipelineNames.FRONTEND);
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.backend() != null);
            for (Channel ch : new Channel[] {frontend, relay.backend()}) {
                assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as("TCP_NODELAY of %s", ch).isTrue();
                assertThat(ch.config().getOption(ChannelOption.SO_KEEPALIVE)).as("SO_KEEPALIVE of %s", ch)
                        .isEqualTo(keepAlive);
                assertThat(ch.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).as("half-closure of %s", ch).isTrue();
            }
            assertThat(relay.backend().eventLoop()).as("the backend connection's loop").isSameAs(frontend.eventLoop());
        }
    }
}
