package io.portier.core.limit;

import io.portier.config.AccessConfig;
import io.portier.config.LimitsConfig;

import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * Admission control for one frontend port: decides, when a connection is accepted, whether it may
 * go on. Shared by every event loop accepting on the port (one instance per {@code ListenerPort}).
 *
 * <p>Checks, in order, each only when configured:
 * <ol>
 *   <li>{@code access}: deny wins, an empty allow list admits everyone. Stateless.</li>
 *   <li>port {@code max-connections}: is a slot free? (a read)</li>
 *   <li>{@code per-source}: finds the client's entry (IPv4 address or IPv6 /64); is a per-source
 *       slot free, takes a per-source token, takes the per-source slot.</li>
 *   <li>port {@code connection-rate}: takes a token from the port's bucket.</li>
 *   <li>port {@code max-connections}: takes the slot.</li>
 * </ol>
 * A refusal writes nothing shared (so a flood of refused connections does not contend with the
 * admitted ones), and a refusal at a later step gives back what the earlier ones took (a slot
 * taken by another loop in between is such a refusal). Per-source comes before the port rate so
 * that one noisy client is refused as {@code source-rate} without spending the port's tokens that
 * other clients need.
 *
 * <p>Thread-safety: lock-free; every counter is one atomic, exact across loops. No timer: a bucket
 * refills by reading the clock when a token is asked for.
 */
public interface Admission {

    /** Limits of {@code limits} and {@code access}, with the system nano clock. */
    static Admission of(LimitsConfig limits, AccessConfig access) {
        return of(limits, access, System::nanoTime);
    }

    /** As {@link #of(LimitsConfig, AccessConfig)}, with time read from {@code nanoClock}. */
    static Admission of(LimitsConfig limits, AccessConfig access, LongSupplier nanoClock) {
        return new PortAdmission(limits, access, nanoClock, null);
    }

    /**
     * The decision for a new connection from {@code client}. Any thread. An admitted permit must be
     * {@link Permit#release() released} once when the connection ends.
     */
    Permit admit(InetAddress client);

    /**
     * The admission for a reloaded config: this same instance when neither limits nor access
     * changed; otherwise a new one that keeps every piece of state whose settings did not change
     * (the live connection count always, the port bucket when rate and burst are the same, the
     * per-source entries when per-source settings are the same). Permits of this instance stay valid.
     */
    Admission reconfigure(LimitsConfig limits, AccessConfig access);

    LimitsConfig limits();

    AccessConfig access();

    /** Admitted connections on the port not yet released. */
    int connections();

    /** Nanoseconds until the port's rate bucket has a token; 0 when it has one or is unlimited. */
    long nanosUntilToken();

    /** Client sources tracked now (0 without per-source limits). */
    long trackedSources();
}
