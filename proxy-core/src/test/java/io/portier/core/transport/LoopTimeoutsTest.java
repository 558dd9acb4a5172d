package io.portier.core.transport;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LoopTimeoutsTest {
    private static EventLoop loop;

    @BeforeAll
    static void start() {
        loop = new DefaultEventLoop();
    }

    @AfterAll
    static void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Records when it expired, in nanoseconds after {@code origin}. */
    private static final class Recorded extends LoopTimeouts.Timeout {
        final String name;
        final List<String> log;
        final long origin;
        volatile long expiredAfterNanos = -1;

        Recorded(String name, List<String> log, long origin) {
            this.name = name;
            this.log = log;
            this.origin = origin;
        }

        @Override
        protected void expired() {
            expiredAfterNanos = System.nanoTime() - origin;
            log.add(name);
        }
    }

    private static <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    void timeoutsExpireInOrderNoSoonerThanTheirLengthAndStoppedOnesNever() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        long origin = System.nanoTime();
        long len = TimeUnit.MILLISECONDS.toNanos(150);
        Recorded a = new Recorded("a", log, origin);
        Recorded b = new Recorded("b", log, origin);
        Recorded c = new Recorded("c", log, origin);
        // Started after b on the same list: once it has expired, b would have too, had it not stopped.
        Recorded last = new Recorded("last", log, origin);
        onLoop(() -> {
            LoopTimeouts list = LoopTimeouts.on(loop, len);
            list.start(a);
            list.start(b);
            list.start(c);
            b.stop();
            list.start(last);
            return null;
        });
        await().atMost(5, TimeUnit.SECONDS).until(() -> last.expiredAfterNanos >= 0);
        assertThat(log).containsExactly("a", "c", "last");
        assertThat(a.expiredAfterNanos).isGreaterThanOrEqualTo(len);
        assertThat(c.expiredAfterNanos).isGreaterThanOrEqualTo(len);
        assertThat(b.expiredAfterNanos).isEqualTo(-1);
        assertThat(onLoop(() -> a.started() || b.started() || c.started() || last.started())).isFalse();
    }

    @Test
    void aTimeoutStartedAgainCountsFromThenAndOneThatRestartsItselfExpiresOncePerLength() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        long len = TimeUnit.MILLISECONDS.toNanos(100);
        CountDownLatch three = new CountDownLatch(3);
        long origin = System.nanoTime();
        LoopTimeouts.Timeout ticking = new LoopTimeouts.Timeout() {
            @Override
            protected void expired() {
                log.add("tick");
                three.countDown();
                if (three.getCount() > 0) {
                    LoopTimeouts.on(loop, len).start(this);
                }
            }
        };
        onLoop(() -> {
            LoopTimeouts.on(loop, len).start(ticking);
            return null;
        });
        assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - origin).isGreaterThanOrEqualTo(3 * len);

        // Restarted halfway: it expires a whole length after the restart, not after the first start.
        Recorded late = new Recorded("late", log, System.nanoTime());
        onLoop(() -> {
            LoopTimeouts.on(loop, len).start(late);
            return null;
        });
        Thread.sleep(50);
        long restartedAt = System.nanoTime() - late.origin;
        onLoop(() -> {
            LoopTimeouts.on(loop, len).start(late);
            return null;
        });
        await().atMost(5, TimeUnit.SECONDS).until(() -> late.expiredAfterNanos >= 0);
        assertThat(late.expiredAfterNanos).isGreaterThanOrEqualTo(restartedAt + len);
        assertThat(log).containsExactly("tick", "tick", "tick", "late");
    }

    @Test
    void listsOfDifferentLengthsAreKeptApartAndAFailingTimeoutDoesNotStopTheOthers() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        long origin = System.nanoTime();
        Recorded slow = new Recorded("slow", log, origin);
        Recorded fast = new Recorded("fast", log, origin);
        LoopTimeouts.Timeout failing = new LoopTimeouts.Timeout() {
            @Override
            protected void expired() {
                throw new IllegalStateException("expected by the test");
            }
        };
        Recorded afterFailing = new Recorded("after-failing", log, origin);
        onLoop(() -> {
            LoopTimeouts slowList = LoopTimeouts.on(loop, TimeUnit.MILLISECONDS.toNanos(300));
            LoopTimeouts fastList = LoopTimeouts.on(loop, TimeUnit.MILLISECONDS.toNanos(50));
            assertThat(LoopTimeouts.on(loop, TimeUnit.MILLISECONDS.toNanos(50))).isSameAs(fastList);
            assertThat(slowList).isNotSameAs(fastList);
            slowList.start(slow);
            fastList.start(failing);
            fastList.start(fast);
            fastList.start(afterFailing);
            return null;
        });
        await().atMost(5, TimeUnit.SECONDS).until(() -> log.size() == 3);
        assertThat(log).containsExactly("fast", "after-failing", "slow");
        assertThat(slow.expiredAfterNanos).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void listsAreForTheLoopsOwnThreadAndPositiveLengths() throws Exception {
        assertThatThrownBy(() -> LoopTimeouts.on(loop, 1_000_000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asked for from");
        Throwable zero = onLoop(() -> {
            try {
                LoopTimeouts.on(loop, 0);
                return null;
            } catch (IllegalArgumentException e) {
                return e;
            }
        });
        assertThat(zero).hasMessage("timeout length must be positive: 0 ns");
    }
}
