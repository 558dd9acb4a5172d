package io.portier.core.relay;

import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * The servers one connection tries, in order: each pick skips the servers tried before (a refused
 * connect moves on) and reserves a connection slot on the server it returns.
 *
 * <p>Thread: one instance per connection, on its event loop. Allocates only when a server is
 * remembered (once per attempt).
 */
final class ServerPicker {
    private final Pool pool;
    private final InetAddress client;
    private Server[] tried;

    ServerPicker(Pool pool, InetAddress client) {
        this.pool = pool;
        this.client = client;
    }

    /** The next server not tried yet, with a slot reserved on it; null when none is left. */
    Server next() {
        Server s = pool.select(client, this::notTried);
        while (s != null && !s.tryAcquire()) {
            remember(s); // full (max-connections) since the pick: try another
            s = pool.select(client, this::notTried);
        }
        if (s != null) {
            remember(s);
        }
        return s;
    }

    private boolean notTried(Server s) {
        if (tried != null) {
            for (Server t : tried) {
                if (t == s) {
                    return false;
                }
            }
        }
        return true;
    }

    private void remember(Server s) {
        if (tried == null) {
            tried = new Server[] {s};
        } else {
            tried = Arrays.copyOf(tried, tried.length + 1);
            tried[tried.length - 1] = s;
        }
    }
}
