package io.portier.core.pool;

import io.netty.channel.Channel;
import io.portier.config.LimitsConfig;
import io.portier.config.ServerConfig;
import io.portier.core.health.CheckCode;
import io.portier.core.health.CheckResult;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A server of a pool at run time: its config, health and admin state, and connection counters.
 *
 * <p>Thread-safety: every method may be called from any thread. Counters are atomics; states are
 * volatile fields written by the health checker (health) or the admin API (admin state, weight).
 */
public final class Server {
    private final String pool;
    private volatile ServerConfig config;
    private volatile Duration slowStart;
    private final LongSupplier nanoClock;

    private volatile boolean healthy;
    private volatile AdminState adminState = AdminState.READY;
    private volatile int weightOverride = -1;
    private volatile long upSinceNanos;
    private volatile CheckResult lastCheck = CheckResult.NONE;
    private volatile CheckResult lastFailure = CheckResult.NONE;

    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger consecutiveConnectFailures = new AtomicInteger();
    private final LongAdder total = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    /** Frontend channels whose backend connection goes to this server. */
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

    /**
     * @param healthy   the starting health (true when the pool has no active checks, see README)
     * @param nanoClock monotonic clock for slow start, injectable for tests
     */
    public Server(String pool, ServerConfig config, Duration slowStart, boolean healthy, LongSupplier nanoClock) {
        this.pool = pool;
        this.config = config;
        this.slowStart = slowStart;
        this.nanoClock = nanoClock;
        this.healthy = healthy;
        this.upSinceNanos = nanoClock.getAsLong() - slowStart.toNanos();
    }

    public String pool() {
        return pool;
    }

    public String name() {
        return config.name();
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Takes the settings of a reloaded config for this same server (same name, host and port):
     * weight, backup, max-connections and the pool's slow-start. Health, admin state, weight override
     * and counters stay.
     *
     * @throws IllegalArgumentException when the name or address differs
     */
    public void update(ServerConfig next, Duration nextSlowStart) {
        if (!sameServer(next)) {
            throw new IllegalArgumentException("server: " + next.name() + " " + next.address()
                    + " (expected: " + config.name() + " " + config.address() + ")");
        }
        this.config = next;
        this.slowStart = nextSlowStart;
    }

    /** True when {@code other} names this server at the same address (a reload keeps it). */
    public boolean sameServer(ServerConfig other) {
        ServerConfig c = config;
        return c.name().equals(other.name()) && c.host().equals(other.host()) && c.port() == other.port();
    }

    public boolean backup() {
        return config.backup();
    }

    /** UP, DOWN, DRAIN or MAINT: admin states win over health. */
    public ServerState state() {
        AdminState admin = adminState;
        if (admin == AdminState.MAINT) {
            return ServerState.MAINT;
        }
        if (admin == AdminState.DRAIN) {
            return ServerState.DRAIN;
        }
        return healthy ? ServerState.UP : ServerState.DOWN;
    }

    /** True when the server may take a new connection: UP and under its max-connections. */
    public boolean isAvailable() {
        return state() == ServerState.UP
                && (config.maxConnections() == LimitsConfig.UNLIMITED || active.get() < config.maxConnections());
    }

    public boolean healthy() {
        return healthy;
    }

    /**
     * Sets the health part of the state. Called by the health checker.
     *
     * @return true when this changed the health (a transition the caller logs)
     */
    public boolean setHealthy(boolean up, CheckResult result) {
        recordCheck(result);
        if (healthy == up) {
            return false;
        }
        if (up) {
            upSinceNanos = nanoClock.getAsLong();
        }
        healthy = up;
        return true;
    }

    public void recordCheck(CheckResult result) {
        lastCheck = result;
        if (result.code() != CheckCode.NONE && !result.code().ok()) {
            lastFailure = result;
        }
    }

    /** The last check that failed (or passive ejection), for the admin API's "last error". */
    public CheckResult lastFailure() {
        return lastFailure;
    }

    public CheckResult lastCheck() {
        return lastCheck;
    }

    public AdminState adminState() {
        return adminState;
    }

    public void setAdminState(AdminState state) {
        this.adminState = state;
    }

    /** The configured weight, or the admin override. */
    public int weight() {
        int override = weightOverride;
        return override >= 0 ? override : config.weight();
    }

    public int weightOverride() {
        return weightOverride;
    }

    /** @param weight 0-256, or -1 to clear the override */
    public void setWeightOverride(int weight) {
        this.weightOverride = weight;
    }

    /** Balancers see weights times this, so that a slow-start ramp has steps finer than 1. */
    public static final int WEIGHT_SCALE = 16;

    /**
     * The weight balancers use, in units of 1/{@link #WEIGHT_SCALE}: {@link #weight()} times the
     * scale, ramped linearly from 1 to full over {@code slow-start} after the server last came up.
     * Only ratios between servers matter to balancers.
     */
    public int effectiveWeight() {
        int w = weight() * WEIGHT_SCALE;
        long ramp = slowStart.toNanos();
        if (ramp <= 0 || w == 0) {
            return w;
        }
        long since = nanoClock.getAsLong() - upSinceNanos;
        if (since >= ramp) {
            return w;
        }
        return (int) Math.max(1, (w * Math.max(0, since)) / ramp);
    }

    /**
     * Reserves a connection slot before connecting.
     *
     * @return false when max-connections is reached
     */
    public boolean tryAcquire() {
        long max = config.maxConnections();
        while (true) {
            int now = active.get();
            if (max != LimitsConfig.UNLIMITED && now >= max) {
                return false;
            }
            if (active.compareAndSet(now, now + 1)) {
                total.increment();
                return true;
            }
        }
    }

    /** Releases a slot taken by {@link #tryAcquire()}. */
    public void release() {
        active.decrementAndGet();
    }

    public int active() {
        return active.get();
    }

    public long total() {
        return total.sum();
    }

    public long connectFailures() {
        return connectFailures.sum();
    }

    public void onConnectSuccess() {
        if (consecutiveConnectFailures.get() != 0) {
            consecutiveConnectFailures.set(0);
        }
    }

    /** @return the number of consecutive connect failures, this one included */
    public int onConnectFailure() {
        connectFailures.increment();
        return consecutiveConnectFailures.incrementAndGet();
    }

    public Set<Channel> connections() {
        return connections;
    }

    @Override
    public String toString() {
        return pool + "/" + config.name();
    }
}
