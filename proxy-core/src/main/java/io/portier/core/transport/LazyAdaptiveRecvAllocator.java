package io.portier.core.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.internal.AdaptiveCalculator;

/**
 * Netty's {@link AdaptiveRecvByteBufAllocator} (the same bounds, 64 to 65,536 bytes from 2,048, and
 * the same size guesses, made by Netty's own {@link AdaptiveCalculator}), with the guesser built
 * when a read first asks for a size instead of when the handle is made.
 *
 * <p>Netty makes an allocator's handle twice per channel: once when the channel's config is built,
 * only to check its type, and once for the channel's reads. Building Netty's adaptive handle takes
 * three binary searches of its size table. That was 5% of Portier's user time per connection under
 * conn-churn. A relayed connection asks its handle for no size at all, since its reads go into the
 * loop's relay buffer, and only sets and reads its end-of-input flag. With this allocator a relayed
 * connection never builds a guesser. A connection read through the pipeline (bandwidth shaping, a
 * PROXY protocol header, bytes that came while the server connected) builds it at its first read
 * and guesses as Netty does.
 *
 * <p>Thread: a handle belongs to its channel's event loop, as Netty's do.
 */
public final class LazyAdaptiveRecvAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
    @SuppressWarnings("deprecation")
    @Override
    public Handle newHandle() {
        return new LazyHandle();
    }

    /** Netty's adaptive handle, its guesser made on first use. */
    final class LazyHandle extends MaxMessageHandle {
        private AdaptiveCalculator calculator;

        private AdaptiveCalculator calculator() {
            AdaptiveCalculator c = calculator;
            if (c == null) {
                c = calculator = new AdaptiveCalculator(AdaptiveRecvByteBufAllocator.DEFAULT_MINIMUM,
                        AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL, AdaptiveRecvByteBufAllocator.DEFAULT_MAXIMUM);
            }
            return c;
        }

        /** Whether the guesser has been made (for tests). */
        boolean sized() {
            return calculator != null;
        }

        @Override
        public void lastBytesRead(int bytes) {
            // As Netty's handle: a read that filled its buffer may raise the next guess at once.
            if (bytes == attemptedBytesRead()) {
                calculator().record(bytes);
            }
            super.lastBytesRead(bytes);
        }

        @Override
        public int guess() {
            return calculator().nextSize();
        }

        @Override
        public void readComplete() {
            calculator().record(totalBytesRead());
        }
    }
}
