package io.portier.core.limit;

import io.portier.config.AccessConfig;
import io.portier.config.LimitsConfig;

import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The {@link Admission} of one port. See there for the order of the checks. */
final class PortAdmission implements Admission {
    private final LimitsConfig limits;
    private final AccessConfig access;
    private final LongSupplier clock;
    /** Null: everyone admitted. */
    private final AccessList accessList;
    /** Live admitted connections; counted even when unlimited so a reload that sets a limit starts right. */
    private final AtomicInteger connections;
    private final long maxConnections;
    /** Null: unlimited rate. */
    private final TokenBucket rate;
    private final AtomicLong rateState;
    /** Null: no per-source limits. */
    private final Sources sources;
    /** The permit of every admitted connection when there is no per-source state to remember. */
    private final Permit admitted;

    PortAdmission(LimitsConfig limits, AccessConfig access, LongSupplier clock, PortAdmission previous) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.access = access;
        this.clock = clock;
        this.accessList = AccessList.of(access);
        this.connections = previous != null ? previous.connections : new AtomicInteger();
        this.maxConnections = limits.maxConnections();
        if (limits.connectionRate() == LimitsConfig.UNLIMITED) {
            this.rate = null;
            this.rateState = null;
        } else {
            long capacity = TokenBucket.capacity(limits.connectionRate(), limits.connectionBurst());
            if (previous != null && previous.rate != null && previous.rate.sameAs(limits.connectionRate(), capacity)) {
                this.rate = previous.rate;
                this.rateState = previous.rateState;
            } else {
                this.rate = new TokenBucket(limits.connectionRate(), capacity, clock);
                this.rateState = rate.newState();
            }
        }
        if (!Sources.needed(limits.perSource())) {
            this.sources = null;
        } else if (previous != null && previous.sources != null
                && previous.sources.config().equals(limits.perSource())) {
            this.sources = previous.sources;
        } else {
            this.sources = new Sources(limits.perSource(), clock);
        }
        this.admitted = Permit.admitted(this, null);
    }

    @Override
    public Permit admit(InetAddress client) {
        if (accessList != null && !accessList.admits(client)) {
            return Permit.rejected(Verdict.ACCESS);
        }
        // Refusals write nothing shared: the slot counts are read, a bucket refusal is a read.
        if (connections.get() >= maxConnections) {
            return Permit.rejected(Verdict.MAX_CONNECTIONS);
        }
        Source source = null;
        if (sources != null) {
            source = sources.get(client);
            Verdict v = sources.tryAcquire(source);
            if (v != Verdict.ADMITTED) {
                return Permit.rejected(v);
            }
        }
        if (rate != null && !rate.tryAcquire(rateState)) {
            if (source != null) {
                sources.unwind(source);
            }
            return Permit.rejected(Verdict.RATE);
        }
        if (!Slots.tryTake(connections, maxConnections)) {
            // the last slot went to another loop since the read above
            if (rate != null) {
                rate.refund(rateState);
            }
            if (source != null) {
                sources.unwind(source);
            }
            return Permit.rejected(Verdict.MAX_CONNECTIONS);
        }
        return source == null ? admitted : Permit.admitted(this, source);
    }

    /** From {@link Permit#release()}. */
    void release(Source source) {
        if (source != null) {
            source.release();
        }
        connections.decrementAndGet();
    }

    @Override
    public Admission reconfigure(LimitsConfig newLimits, AccessConfig newAccess) {
        if (limits.equals(newLimits) && Objects.equals(access, newAccess)) {
            return this;
        }
        return new PortAdmission(newLimits, newAccess, clock, this);
    }

    @Override
    public LimitsConfig limits() {
        return limits;
    }

    @Override
    public AccessConfig access() {
        return access;
    }

    @Override
    public int connections() {
        return connections.get();
    }

    @Override
    public long nanosUntilToken() {
        return rate == null ? 0 : rate.nanosUntilToken(rateState);
    }

    @Override
    public long trackedSources() {
        if (sources == null) {
            return 0;
        }
        sources.cleanUp();
        return sources.size();
    }
}
