package io.portier.core.limit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void fullBucketGivesItsCapacityAtOnceThenNothing() {
        TokenBucket bucket = new TokenBucket(200, 20, clock);
        AtomicLong state = bucket.newState();

        assertThat(take(bucket, state, 100)).isEqualTo(20);
    }

    @Test
    void refillsOneTokenPerIntervalAndNeverAboveCapacity() {
        TokenBucket bucket = new TokenBucket(200, 20, clock);
        AtomicLong state = bucket.newState();
        take(bucket, state, 20);

        clock.advance(4_999_999, TimeUnit.NANOSECONDS);
        assertThat(bucket.tryAcquire(state)).isFalse();
        clock.advance(1, TimeUnit.NANOSECONDS);
        assertThat(bucket.tryAcquire(state)).isTrue();
        assertThat(bucket.tryAcquire(state)).isFalse();

        clock.advance(1, TimeUnit.HOURS);
        assertThat(take(bucket, state, 1000)).isEqualTo(20);
    }

    @Test
    void acceptsExactlyBurstPlusRateTimesDurationUnderAFlood() {
        TokenBucket bucket = new TokenBucket(200, 20, clock);
        AtomicLong state = bucket.newState();
        int accepted = 0;
        // attempts every 50 µs from 0 s to 10 s inclusive
        for (int i = 0; i <= 200_000; i++) {
            if (bucket.tryAcquire(state)) {
                accepted++;
            }
            clock.advance(50, TimeUnit.MICROSECONDS);
        }
        assertThat(accepted).isEqualTo(20 + 200 * 10);
    }

    @Test
    void aRateThatDoesNotDivideASecondStaysExactOverAnHour() {
        TokenBucket bucket = new TokenBucket(3, 10, clock);
        AtomicLong state = bucket.newState();
        int accepted = 0;
        for (int i = 0; i < 3600 * 100; i++) {
            if (bucket.tryAcquire(state)) {
                accepted++;
            }
            clock.advance(10, TimeUnit.MILLISECONDS);
        }
        // the bucket never fills (asked every 10 ms), so no token is lost to overflow
        assertThat(accepted).isBetween(10 + 3 * 3600 - 1, 10 + 3 * 3600);
    }

    @Test
    void aRefusalTakesNothingAndARefundGivesTheTokenBack() {
        TokenBucket bucket = new TokenBucket(10, 2, clock);
        AtomicLong state = bucket.newState();
        take(bucket, state, 2);
        long before = state.get();
        assertThat(bucket.tryAcquire(state)).isFalse();
        assertThat(state.get()).isEqualTo(before);

        bucket.refund(state);
        assertThat(bucket.tryAcquire(state)).isTrue();
        assertThat(bucket.tryAcquire(state)).isFalse();
    }

    @Test
    void tellsHowLongUntilTheNextToken() {
        TokenBucket bucket = new TokenBucket(10, 1, clock);
        AtomicLong state = bucket.newState();
        assertThat(bucket.nanosUntilToken(state)).isZero();
        bucket.tryAcquire(state);
        assertThat(bucket.nanosUntilToken(state)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        clock.advance(40, TimeUnit.MILLISECONDS);
        assertThat(bucket.nanosUntilToken(state)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
    }

    @Test
    void zeroBurstMeansATenthOfTheRateAndAtLeastOne() {
        assertThat(TokenBucket.capacity(200, 0)).isEqualTo(20);
        assertThat(TokenBucket.capacity(5, 0)).isEqualTo(1);
        assertThat(TokenBucket.capacity(200, 7)).isEqualTo(7);
    }

    @Test
    void concurrentTakersShareOneBucketExactly() throws Exception {
        TokenBucket bucket = new TokenBucket(1_000, 5_000, clock);
        AtomicLong state = bucket.newState();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                await(start);
                for (int i = 0; i < 10_000; i++) {
                    if (bucket.tryAcquire(state)) {
                        taken.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(taken.get()).isEqualTo(5_000);
    }

    private static int take(TokenBucket bucket, AtomicLong state, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (bucket.tryAcquire(state)) {
                n++;
            }
        }
        return n;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
