package io.portier.core.relay;

import io.netty.buffer.PooledByteBufAllocator;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that writes as fast as it can to a server that reads slowly: the proxy stops reading the
 * client instead of buffering. The bound: Netty's pooled memory (where relayed bytes live) stays
 * under 16 MiB and the heap grows by less than 64 MiB while 256 MiB pass through.
 */
class BackpressureTest {
    private static final long TOTAL = 256L * 1024 * 1024;
    private static final long POOLED_BOUND = 16L * 1024 * 1024;
    private static final long HEAP_BOUND = 64L * 1024 * 1024;

    @Test
    void memoryStaysBoundedWhenTheServerReadsSlowly() throws Exception {
        AtomicLong received = new AtomicLong();
        EchoServer.Behaviour slowReader = s -> {
            s.setReceiveBufferSize(64 * 1024);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            long reads = 0;
            while ((n = in.read(buf)) >= 0) {
                received.addAndGet(n);
                if (++reads % 4 == 0) {
                    sleep(1);
                }
            }
        };
        try (EchoServer backend = new EchoServer(slowReader);
             ProxyHarness proxy = ProxyHarness.start("""
                     portier {
                       workers = 1
                       listeners.sink { bind = "127.0.0.1:0", pool = sink }
                       pools.sink { servers = [{ name = s, address = "%s" }], health.type = none }
                     }
                     """.formatted(backend.address()))) {
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            long maxPooled = 0;
            long maxHeap = 0;
            try (Socket client = new Socket("127.0.0.1", proxy.port("sink"))) {
                OutputStream out = client.getOutputStream();
                byte[] chunk = new byte[256 * 1024];
                for (long sent = 0; sent < TOTAL; sent += chunk.length) {
                    out.write(chunk);
                    if ((sent / chunk.length) % 16 == 0) {
                        maxPooled = Math.max(maxPooled, pooledBytes());
                        maxHeap = Math.max(maxHeap, rt.totalMemory() - rt.freeMemory() - heapBefore);
                    }
                }
                client.shutdownOutput();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (received.get() < TOTAL && System.nanoTime() < deadline) {
                    maxPooled = Math.max(maxPooled, pooledBytes());
                    sleep(5);
                }
            }
            assertThat(received.get()).isEqualTo(TOTAL);
            assertThat(maxPooled).as("pooled bytes held by the proxy").isLessThan(POOLED_BOUND);
            assertThat(maxHeap).as("heap growth").isLessThan(HEAP_BOUND);
        }
    }

    private static long pooledBytes() {
        var m = PooledByteBufAllocator.DEFAULT.metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
