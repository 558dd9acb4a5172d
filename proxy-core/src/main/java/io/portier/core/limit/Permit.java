package io.portier.core.limit;

/**
 * What {@link Admission#admit} hands back. A rejected permit names the limit and holds nothing. An
 * admitted permit holds a port connection slot (and a per-source slot when per-source limits are
 * set) until {@link #release()}.
 *
 * <p>Thread: {@link #release()} may run on any thread, and must run exactly once per admitted
 * permit (the relay nulls its reference when it calls it). Rejected permits are shared constants:
 * releasing one does nothing.
 */
public final class Permit {
    private static final Permit[] REJECTED = new Permit[Verdict.values().length];

    static {
        for (Verdict v : Verdict.values()) {
            REJECTED[v.ordinal()] = new Permit(v, null, null);
        }
    }

    private final Verdict verdict;
    private final PortAdmission owner;
    private final Source source;

    private Permit(Verdict verdict, PortAdmission owner, Source source) {
        this.verdict = verdict;
        this.owner = owner;
        this.source = source;
    }

    static Permit rejected(Verdict verdict) {
        return REJECTED[verdict.ordinal()];
    }

    static Permit admitted(PortAdmission owner, Source source) {
        return new Permit(Verdict.ADMITTED, owner, source);
    }

    public boolean admitted() {
        return verdict == Verdict.ADMITTED;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** Gives back the slots this permit holds. Exactly once per admitted permit. */
    public void release() {
        if (owner != null) {
            owner.release(source);
        }
    }
}
