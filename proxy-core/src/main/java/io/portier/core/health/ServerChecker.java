package io.portier.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.portier.config.HealthConfig;
import io.portier.config.ServerConfig;
import io.portier.core.pool.Server;
import io.portier.core.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The health of one server: its active checks, its rise/fall counters and its passive ejection.
 *
 * <p>Thread: every field below is confined to {@link #loop}, the one event loop this server's checks
 * and timers run on; the only entry points from other threads are {@link #start},
 * {@link #passiveFailures} and {@link #stop}, which hop onto the loop.
 */
final class ServerChecker {
    /** Check start times are rounded up to this, so checks on one loop run in small batches. */
    static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PoolHealthMonitor monitor;
    private final Server server;
    private final EventLoop loop;
    private final HealthConfig config;
    /** Null when this server gets no active check: type none, or an address without a port. */
    private final HealthCheck check;
    private final byte[] request;
    private final Bootstrap bootstrap;
    private final SocketAddress remote;
    private final HealthMetrics metrics;
    private final long intervalNanos;
    private final long timeoutNanos;

    private int passed;
    private int failed;
    private boolean neverChecked;
    private boolean ejected;
    private boolean running;
    private boolean stopped;
    private ScheduledFuture<?> nextCheck;
    private ScheduledFuture<?> ejectionEnd;
    private Channel probe;

    ServerChecker(PoolHealthMonitor monitor, Server server, EventLoop loop, Transport transport,
                  HealthConfig config, HealthCheck check, HealthMetrics metrics) {
        this.monitor = monitor;
        this.server = server;
        this.loop = loop;
        this.config = config;
        ServerConfig sc = server.config();
        this.check = sc.port() == ServerConfig.SAME_PORT ? null : check;
        this.request = this.check == null ? null : this.check.request(server);
        this.metrics = metrics;
        this.intervalNanos = config.interval().toNanos();
        this.timeoutNanos = config.timeout().toNanos();
        this.remote = this.check == null ? null : address(sc);
        this.bootstrap = this.check == null ? null : new Bootstrap()
                .group(loop)
                .channel(transport.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, config.timeout().toMillis()))
                .option(ChannelOption.SO_LINGER, 0)
                .option(ChannelOption.TCP_NODELAY, true);
        this.neverChecked = server.lastCheck().code() == CheckCode.NONE;
    }

    /**
     * An IP literal is parsed once here; a host name stays unresolved so that each check resolves it
     * again (with the JDK resolver and its cache, on the event loop) and follows DNS changes.
     */
    private static SocketAddress address(ServerConfig sc) {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(sc.host());
        if (ip == null) {
            return InetSocketAddress.createUnresolved(sc.host(), sc.port());
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), sc.port());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IP literal always makes an address: " + sc.host(), e);
        }
    }

    Server server() {
        return server;
    }

    HealthMetrics metrics() {
        return metrics;
    }

    /** Schedules the first check at a random point within one interval. Any thread. */
    void start() {
        execute(() -> {
            if (check == null) {
                if (!server.healthy()) {
                    monitor.transition(server, true, result(CheckCode.NONE, "no active check"), "always up");
                }
                return;
            }
            schedule((long) (intervalNanos * ThreadLocalRandom.current().nextDouble()));
        });
    }

    /** Stops checks and timers and closes a check in flight. Any thread; idempotent. */
    void stop() {
        execute(() -> {
            stopped = true;
            cancel(nextCheck);
            cancel(ejectionEnd);
            if (probe != null) {
                probe.close();
            }
        });
    }

    /** Live traffic saw {@code failures} connect failures in a row, at least the passive threshold. Any thread. */
    void passiveFailures(int failures, Throwable cause) {
        if (loop.inEventLoop()) {
            eject(failures, cause);
        } else {
            execute(() -> eject(failures, cause));
        }
    }

    /**
     * Schedules the next check, rounding its start up to a {@link #SLOT_NANOS} boundary so that the
     * checks of many servers on one loop share a wakeup instead of waking it once each.
     */
    private void schedule(long delayNanos) {
        long now = System.nanoTime();
        long at = now + delayNanos;
        long slotted = at - Math.floorMod(at, SLOT_NANOS) + SLOT_NANOS;
        nextCheck = loop.schedule(this::runCheck, slotted - now, TimeUnit.NANOSECONDS);
    }

    private void runCheck() {
        nextCheck = null;
        if (stopped || running) {
            return;
        }
        running = true;
        Channel ch = CheckProbe.run(bootstrap, remote, check, request, timeoutNanos, this::checked);
        if (running) { // else it failed at once and is over
            probe = ch;
        }
    }

    private void checked(CheckResult result) {
        running = false;
        probe = null;
        if (stopped) {
            return;
        }
        metrics.check(result.code().ok());
        apply(result);
        double spread = 0.9 + 0.2 * ThreadLocalRandom.current().nextDouble();
        schedule((long) (intervalNanos * spread));
    }

    /** Counts a check result the HAProxy way and changes the state when a counter reaches its limit. */
    private void apply(CheckResult result) {
        boolean first = neverChecked;
        neverChecked = false;
        int rise = config.rise();
        int fall = config.fall();
        if (result.code().ok()) {
            passed++;
            failed = 0;
            if (!server.healthy() && !ejected && passed >= rise) {
                server.onConnectSuccess(); // the checks vouch for it: live failures count from zero again
                monitor.transition(server, true, result, rise + " of " + rise + " passed");
                return;
            }
        } else {
            failed++;
            passed = 0;
            if (server.healthy() && (failed >= fall || first)) {
                String why = failed >= fall ? fall + " of " + fall + " failed" : "first check failed";
                monitor.transition(server, false, result, why);
                return;
            }
        }
        if (!ejected) { // while ejected the PASSIVE result stays visible: it is why the server is out
            server.recordCheck(result);
        }
    }

    private void eject(int failures, Throwable cause) {
        if (stopped || ejected || !server.healthy()) {
            return;
        }
        ejected = true;
        passed = 0;
        String detail = failures + " consecutive connect failures"
                + (cause == null ? "" : " (last: " + CheckProbe.osMessage(cause) + ")");
        monitor.transition(server, false, result(CheckCode.PASSIVE, detail),
                "ejected for " + Durations.format(config.passive().ejection()));
        ejectionEnd = loop.schedule(this::endEjection, config.passive().ejection().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void endEjection() {
        ejectionEnd = null;
        ejected = false;
        if (stopped) {
            return;
        }
        if (check == null) {
            monitor.transition(server, true, result(CheckCode.PASSIVE, "ejection over"), "on trial");
            return;
        }
        if (!running) { // else the check in flight decides
            cancel(nextCheck);
            runCheck();
        }
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The event loops are shutting down: nothing is left to check.
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static CheckResult result(CheckCode code, String detail) {
        return new CheckResult(code, detail, Instant.now());
    }
}
