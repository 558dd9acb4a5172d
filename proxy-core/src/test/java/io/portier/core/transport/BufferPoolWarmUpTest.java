package io.portier.core.transport;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Transport#newGroup}: each loop's share of the buffer pool is set up before any connection. */
class BufferPoolWarmUpTest {

    @Test
    void everyLoopOfANewGroupTakesItsFirstChunkAtStartAndGivesTheBufferBack() {
        AdaptiveByteBufAllocator one = new AdaptiveByteBufAllocator();
        AdaptiveByteBufAllocator two = new AdaptiveByteBufAllocator();
        assertThat(one.metric().usedDirectMemory()).isZero();
        EventLoopGroup single = Transport.nio().newGroup(1, "warm-one", one);
        EventLoopGroup pair = Transport.nio().newGroup(2, "warm-two", two);
        try {
            long perLoop = one.metric().usedDirectMemory();
            assertThat(perLoop).as("direct memory of the chunk set up on the group's loop").isPositive();

            // The buffer went back: warming the same loop again reuses the chunk.
            Transport.warmBufferPool(single, one);
            assertThat(one.metric().usedDirectMemory()).isEqualTo(perLoop);

            // Each loop has a chunk of its own, set up on that loop's thread.
            assertThat(two.metric().usedDirectMemory()).isEqualTo(2 * perLoop);
        } finally {
            single.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            pair.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
