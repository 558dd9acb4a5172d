package io.portier.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The process metrics exported next to the contract's: JVM memory, GC, threads, CPU, and the pooled
 * Netty allocator the relay uses. The contract's own meters are registered by the core.
 */
public final class AdminMetrics {
    private AdminMetrics() {}

    /**
     * Binds the JVM and Netty allocator meters to {@code registry}. Call once per registry. Returns the
     * GC binder, which holds JMX listeners: close it when the registry is discarded.
     */
    public static AutoCloseable bindJvmAndNetty(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        return gc;
    }
}
