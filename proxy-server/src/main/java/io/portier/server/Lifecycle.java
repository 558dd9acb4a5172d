package io.portier.server;

import io.portier.config.ListenerConfig;
import io.portier.config.PortierConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Keeps a started proxy running until it is told to stop, then stops it gracefully.
 *
 * <p>SIGTERM and SIGINT (Ctrl-C) start a graceful shutdown; when it is done {@link #runUntilStopped()}
 * returns 0, so the process exits 0 as the contract asks (a JVM shutdown hook alone would exit
 * 143). A second SIGTERM or SIGINT during the drain exits at once. A shutdown hook runs the same
 * graceful shutdown when the JVM exits for any other reason. SIGHUP reloads the config file.
 *
 * <p>Thread safety: {@link #stop()} may be called from any thread, any number of times; the
 * shutdown runs once and every caller waits for it.
 */
final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
    /** Time granted beyond the longest drain for closing what is left and releasing the loops. */
    private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(5);

    private final Supplier<CompletableFuture<Void>> shutdown;
    private final Duration bound;
    private final Runnable onHangup;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * @param shutdown starts the graceful shutdown; called once
     * @param bound    how long to wait for it before giving up
     */
    Lifecycle(Supplier<CompletableFuture<Void>> shutdown, Duration bound) {
        this(shutdown, bound, () -> log.warn("SIGHUP: nothing to reload (the demo has no config file)"));
    }

    /** @param onHangup what SIGHUP does: reload the config file */
    Lifecycle(Supplier<CompletableFuture<Void>> shutdown, Duration bound, Runnable onHangup) {
        this.shutdown = shutdown;
        this.bound = bound;
        this.onHangup = onHangup;
    }

    /** The longest {@code timeouts.drain} of any listener, plus a margin to close the rest. */
    static Duration shutdownBound(PortierConfig config) {
        return config.listeners().values().stream()
                .map(ListenerConfig::timeouts)
                .map(t -> t.drain())
                .max(Duration::compareTo)
                .orElse(Duration.ZERO)
                .plus(SHUTDOWN_MARGIN);
    }

    /**
     * Installs the signal handlers and a shutdown hook, then blocks the calling thread until the proxy
     * has stopped. Installs process-wide state: call it once, from main, never from a test.
     *
     * @return the exit code, 0
     */
    int runUntilStopped() throws InterruptedException {
        install();
        return waitUntilStopped();
    }

    /**
     * Installs the signal handlers and a shutdown hook, so that a signal sent from now on is handled
     * (the JVM's own default for SIGHUP is to exit). Process-wide state: call it once, from main,
     * never from a test.
     */
    Lifecycle install() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "portier-shutdown-hook"));
        Signals.handle("TERM", this::onStopSignal);
        Signals.handle("INT", this::onStopSignal);
        Signals.handle("HUP", (name, number) -> {
            if (!stopping.get()) {
                log.info("SIGHUP: reloading");
                onHangup.run();
            }
        });
        return this;
    }

    /**
     * Blocks until the proxy has stopped.
     *
     * @return the exit code, 0
     */
    int waitUntilStopped() throws InterruptedException {
        stopped.await();
        return ExitCodes.OK;
    }

    private void onStopSignal(String name, int number) {
        if (stopping.get()) {
            log.warn("SIG{} again: exiting now, without waiting for connections to finish", name);
            Runtime.getRuntime().halt(128 + number);
            return;
        }
        log.info("SIG{}: stopping; live connections may finish for up to {}s",
                name, bound.minus(SHUTDOWN_MARGIN).toSeconds());
        stop();
    }

    /** Stops gracefully, at most for the bound; returns when stopped (or when the bound is over). */
    void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            shutdown.get().get(bound.toMillis(), TimeUnit.MILLISECONDS);
            log.info("stopped");
        } catch (TimeoutException e) {
            log.warn("shutdown did not finish within {}s; exiting anyway", bound.toSeconds());
        } catch (ExecutionException e) {
            log.error("shutdown failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("shutdown failed", e);
        } finally {
            stopped.countDown();
        }
    }

    /** Whether {@link #stop()} has finished. */
    boolean isStopped() {
        return stopped.getCount() == 0;
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
