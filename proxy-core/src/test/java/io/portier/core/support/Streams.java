package io.portier.core.support;

import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Test streams over real sockets. */
public final class Streams {
    private Streams() {
    }

    /**
     * On {@code pool}, writes {@code data} to {@code s} in writes of {@code chunk} bytes, then
     * half-closes it; the future ends when the FIN has been sent.
     */
    public static Future<?> sendThenHalfClose(ExecutorService pool, Socket s, byte[] data, int chunk) {
        return pool.submit(() -> {
            OutputStream out = s.getOutputStream();
            for (int off = 0; off < data.length; off += chunk) {
                out.write(data, off, Math.min(chunk, data.length - off));
            }
            s.shutdownOutput();
            return null;
        });
    }
}
