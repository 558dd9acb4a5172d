package io.portier.perf.jmh;

import io.portier.config.AccessConfig;
import io.portier.config.LimitsConfig;
import io.portier.core.limit.Admission;
import io.portier.core.limit.Permit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.portier.config.LimitsConfig.UNLIMITED;

/**
 * The admission check on the accept path, under contention from several threads (event loops)
 * sharing one port's {@link Admission}: the port token bucket (one CAS on one AtomicLong), the
 * concurrency slot, and the per-source lookup (Caffeine) with its own slot and bucket.
 *
 * <ul>
 *   <li>{@code admitAndRelease}: every check passes (rates high enough never to refuse): the full
 *       cost of an admitted connection, including the release when it ends.</li>
 *   <li>{@code rejectedByPortRate}: the port bucket is empty: what a flooded port pays per
 *       refused connection.</li>
 *   <li>{@code rejectedBySourceRate}: one noisy source's bucket is empty: lookup plus refusal.</li>
 * </ul>
 * {@code sources} is how many distinct client addresses the threads cycle through.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
@State(Scope.Benchmark)
public class AdmissionBenchmark {

    @Param({"1000", "100000"})
    public int sources;

    private Admission admitting;
    private Admission portFlooded;
    private Admission sourceFlooded;
    private InetAddress[] clients;

    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException {
        AccessConfig everyone = new AccessConfig(List.of(), List.of());
        admitting = Admission.of(limits(1_000_000, 1_000_000_000L, 1_000_000_000L, 100, 1_000_000_000L, 200_000),
                everyone);
        portFlooded = Admission.of(limits(UNLIMITED, 1, 1, UNLIMITED, UNLIMITED, 200_000), everyone);
        sourceFlooded = Admission.of(limits(UNLIMITED, UNLIMITED, 0, UNLIMITED, 1, 200_000), everyone);
        clients = new InetAddress[sources];
        for (int i = 0; i < sources; i++) {
            int a = 0x0a000000 + i;
            clients[i] = InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        }
        for (InetAddress c : clients) {
            sourceFlooded.admit(c).release();
        }
        portFlooded.admit(clients[0]).release();
    }

    /** Per-thread position in the client list. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        InetAddress nextOf(InetAddress[] clients) {
            int i = next;
            next = i + 1 == clients.length ? 0 : i + 1;
            return clients[i];
        }
    }

    @Benchmark
    public boolean admitAndRelease(Cursor cursor) {
        Permit p = admitting.admit(cursor.nextOf(clients));
        p.release();
        return p.admitted();
    }

    @Benchmark
    public boolean rejectedByPortRate(Cursor cursor) {
        return portFlooded.admit(cursor.nextOf(clients)).admitted();
    }

    @Benchmark
    public boolean rejectedBySourceRate(Cursor cursor) {
        return sourceFlooded.admit(cursor.nextOf(clients)).admitted();
    }

    private static LimitsConfig limits(long max, long rate, long burst, long sourceMax, long sourceRate, int tracked) {
        return new LimitsConfig(max, rate, burst, new LimitsConfig.PerSource(sourceMax, sourceRate, tracked),
                new LimitsConfig.Bandwidth(UNLIMITED, UNLIMITED), LimitsConfig.OnLimit.CLOSE);
    }
}
