package io.portier.perf;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;

import java.util.Arrays;

/**
 * Times one cheap syscall, {@code getsockopt(TCP_NODELAY)} on an unconnected TCP socket, made
 * through Netty's JNI ({@code Socket.isTcpNoDelay}), the way every socket call of a Netty proxy is
 * made. {@code perf/syscall-cost.sh} runs it beside the same loop in C: the difference is what the
 * JVM and Netty's native layer add to each of the ~19 socket calls a relayed connection makes.
 *
 * <p>Usage: {@code java -cp perf/jmh/target/benchmarks.jar io.portier.perf.SyscallCost CALLS REPS}.
 * Prints one line: the median and the range of the repetitions' wall-clock ns per call (the loop is
 * single-threaded and CPU-bound, pinned by the script, so wall time is its CPU time). The first
 * repetition is a warm-up for the JIT and is not counted.
 */
public final class SyscallCost {
    private SyscallCost() {}

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        Epoll.ensureAvailability();
        LinuxSocket socket = LinuxSocket.newSocketStream();
        try {
            double[] ns = new double[reps];
            int on = 0;
            for (int r = -1; r < reps; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    if (socket.isTcpNoDelay()) {
                        on++;
                    }
                }
                if (r >= 0) {
                    ns[r] = (double) (System.nanoTime() - t0) / calls;
                }
            }
            Arrays.sort(ns);
            System.out.printf("java-jni %.1f %.1f %.1f %d%n", ns[reps / 2], ns[0], ns[reps - 1], on);
        } finally {
            socket.close();
        }
    }
}
