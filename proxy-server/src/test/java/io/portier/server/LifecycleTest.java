package io.portier.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LifecycleTest {

    @Test
    void shutsDownOnceHoweverOftenItIsStopped() throws Exception {
        AtomicInteger shutdowns = new AtomicInteger();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        Lifecycle lifecycle = new Lifecycle(() -> {
            shutdowns.incrementAndGet();
            return drained;
        }, Duration.ofSeconds(10));

        Thread first = new Thread(lifecycle::stop);
        Thread second = new Thread(lifecycle::stop);
        first.start();
        await().until(() -> shutdowns.get() == 1);
        second.start();
        Thread.sleep(50);

        assertThat(lifecycle.isStopped()).isFalse();
        drained.complete(null);
        first.join(5_000);
        second.join(5_000);
        assertThat(lifecycle.isStopped()).isTrue();
        assertThat(shutdowns).hasValue(1);
    }

    @Test
    void givesUpWaitingAfterTheBound() {
        Lifecycle lifecycle = new Lifecycle(CompletableFuture::new, Duration.ofMillis(100));

        long start = System.nanoTime();
        lifecycle.stop();

        assertThat(lifecycle.isStopped()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
