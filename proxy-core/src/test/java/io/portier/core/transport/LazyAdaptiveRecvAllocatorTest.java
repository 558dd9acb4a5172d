package io.portier.core.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
