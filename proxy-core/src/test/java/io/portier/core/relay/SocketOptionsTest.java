package io.portier.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.PortierSocketChannel;
import io.portier.core.listener.ListenerPort;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import io.portier.core.transport.Guessers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SocketOptionsTest {

    /** The relay of the one connection through listener {@code l}, once its backend is connected. */
    private static FrontendHandler connectedRelay(ProxyHarness proxy, EchoServer backend) {
        ListenerPort port = proxy.portier().listeners().get("l").ports().values().iterator().next();
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 1);
        Channel frontend = port.live().iterator().next();
        FrontendHandler relay = (FrontendHandler) frontend.pipeline().get(PipelineNames.FRONTEND);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.backend() != null);
        return relay;
    }

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
            FrontendHandler relay = connectedRelay(proxy, backend);
            Channel frontend = relay.frontend();
            for (Channel ch : new Channel[] {frontend, relay.backend()}) {
                assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as("TCP_NODELAY of %s", ch).isTrue();
                assertThat(ch.config().getOption(ChannelOption.SO_KEEPALIVE)).as("SO_KEEPALIVE of %s", ch)
                        .isEqualTo(keepAlive);
                assertThat(ch.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).as("half-closure of %s", ch).isTrue();
            }
            assertThat(relay.backend().eventLoop()).as("the backend connection's loop").isSameAs(frontend.eventLoop());
            assertThat(relay.backend().pipeline().names()).as("the backend pipeline, by PipelineNames")
                    .startsWith(PipelineNames.BACKEND);
        }
    }

    /**
     * On epoll each side's reads go straight to the other socket, unless a handler must see the
     * bytes: a bandwidth shaper in the frontend pipeline keeps both directions on the pipeline.
     * A relayed connection then never builds a receive-size guesser on either side
     * ({@code LazyAdaptiveRecvAllocator}); one read through the pipeline builds the client's at its
     * first read.
     */
    @ParameterizedTest(name = "limits.bandwidth.connection = {0}")
    @ValueSource(strings = {"unlimited", "1MiB"})
    void readsGoStraightToTheOtherSocketUnlessAShaperMustSeeThem(String bandwidth) throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, "limits.bandwidth.connection = " + bandwidth);
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            FrontendHandler relay = connectedRelay(proxy, backend);
            Channel frontend = relay.frontend();
            PortierSocketChannel f = (PortierSocketChannel) frontend;
            PortierSocketChannel b = (PortierSocketChannel) relay.backend();
            // Set on the event loop once connected; read there too.
            PortierSocketChannel[] peers = f.eventLoop().submit(() -> new PortierSocketChannel[] {f.relayPeer(), b.relayPeer()})
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (bandwidth.equals("unlimited")) {
                assertThat(peers).containsExactly(b, f);
            } else {
                assertThat(peers).containsOnlyNulls();
            }
            client.getOutputStream().write("through".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] echoed = client.getInputStream().readNBytes(7);
            assertThat(new String(echoed, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("through");
            boolean[] built = f.eventLoop().submit(() -> new boolean[] {Guessers.built(f), Guessers.built(b)})
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (bandwidth.equals("unlimited")) {
                assertThat(built).as("guesser built: client side, server side").containsExactly(false, false);
            } else {
                assertThat(built[0]).as("guesser built: client side").isTrue();
            }
        }
    }
}
