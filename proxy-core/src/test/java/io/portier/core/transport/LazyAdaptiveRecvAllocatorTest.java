package io.portier.core.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.RecvHandles;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.PortierSocketChannel;
import io.portier.core.listener.ListenerPort;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LazyAdaptiveRecvAllocatorTest {

    /**
     * Read batches as Netty's read loop runs them: each read asks for a guess, gets at most that
     * many of the bytes waiting, and the batch ends at a short read or at the message limit.
     * Returns every guess, in order.
     */
    private static List<Integer> guesses(RecvByteBufAllocator.ExtendedHandle handle, ChannelConfig config,
                                         int[] waitingPerBatch) {
        List<Integer> seen = new ArrayList<>();
        for (int waiting : waitingPerBatch) {
            handle.reset(config);
            int left = waiting;
            do {
                int guess = handle.guess();
                seen.add(guess);
                handle.attemptedBytesRead(guess);
                int read = Math.min(guess, left);
                handle.lastBytesRead(read);
                handle.incMessagesRead(1);
                left -= read;
            } while (left > 0 && handle.continueReading());
            handle.readComplete();
        }
        return seen;
    }

    @Test
    void guessesAsNettysAdaptiveAllocatorThroughBurstsAndTrickles() {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            // Bursts up to the maximum, then trickles: the guess falls one step per two short batches,
            // so 100 of them take it from the maximum to the minimum.
            int[] start = {100, 5000, 70_000, 300_000, 1_000_000, 64, 64, 64, 2048, 10, 10, 200_000};
            int[] batches = Arrays.copyOf(start, start.length + 100);
            Arrays.fill(batches, start.length, batches.length, 1);
            AdaptiveRecvByteBufAllocator netty = new AdaptiveRecvByteBufAllocator();
            netty.maxMessagesPerRead(16);
            LazyAdaptiveRecvAllocator lazy = new LazyAdaptiveRecvAllocator();
            lazy.maxMessagesPerRead(16);

            List<Integer> expected = guesses((RecvByteBufAllocator.ExtendedHandle) netty.newHandle(),
                    channel.config(), batches);
            List<Integer> actual = guesses((RecvByteBufAllocator.ExtendedHandle) lazy.newHandle(),
                    channel.config(), batches);

            assertThat(actual).isEqualTo(expected);
            // The run reached both ends of the range, so both directions of the guesser were compared.
            assertThat(expected).contains(AdaptiveRecvByteBufAllocator.DEFAULT_MAXIMUM, 64);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aHandleBuildsItsGuesserAtItsFirstGuess() {
        LazyAdaptiveRecvAllocator.LazyHandle handle =
                (LazyAdaptiveRecvAllocator.LazyHandle) new LazyAdaptiveRecvAllocator().newHandle();
        assertThat(handle.sized()).isFalse();

        assertThat(handle.guess()).isEqualTo(AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL);
        assertThat(handle.sized()).isTrue();
    }

    /**
     * On live connections: a relayed one (reads straight to the other socket) never builds a
     * guesser on either side, while one whose reads go through the pipeline (a bandwidth shaper
     * must see them) builds the frontend's at its first read.
     */
    @ParameterizedTest(name = "limits.bandwidth.connection = {0}")
    @ValueSource(strings = {"unlimited", "1MiB"})
    void onlyAConnectionReadThroughThePipelineBuildsAGuesser(String bandwidth) throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        try (EchoServer backend = EchoServer.echo();
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 1
                       listeners.l { bind = "127.0.0.1:0", pool = p, limits.bandwidth.connection = %s }
                       pools.p { servers = [{ name = s, address = "%s" }], health.type = none }
                     }
                     """.formatted(bandwidth, backend.address()));
             Socket client = new Socket("127.0.0.1", proxy.port("l"))) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int i = 0; i < 3; i++) { // a few read batches each way
                out.write(("round " + i).getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("round " + i);
            }
            ListenerPort port = proxy.portier().listeners().get("l").ports().values().iterator().next();
            await().atMost(Duration.ofSeconds(5)).until(() -> !port.live().isEmpty());
            PortierSocketChannel frontend = (PortierSocketChannel) port.live().iterator().next();
            boolean[] built = frontend.eventLoop().submit(() -> {
                PortierSocketChannel peer = frontend.relayPeer();
                return new boolean[] {
                    peer != null,
                    sized(frontend),
                    peer != null && sized(peer)
                };
            }).get(5, TimeUnit.SECONDS);
            if (bandwidth.equals("unlimited")) {
                assertThat(built).as("relayed, client's guesser, server's guesser").containsExactly(true, false, false);
            } else {
                assertThat(built).as("relayed, client's guesser").startsWith(false, true);
            }
        }
    }

    private static boolean sized(Channel ch) {
        return ((LazyAdaptiveRecvAllocator.LazyHandle) RecvHandles.allocatorHandle(ch)).sized();
    }
}
