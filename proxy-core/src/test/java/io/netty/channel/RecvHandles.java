package io.netty.channel;

/**
 * Test access to the handle a transport wraps: the epoll channels wrap their allocator's handle in
 * a {@link RecvByteBufAllocator.DelegatingHandle}, whose {@code delegate()} is protected (visible
 * here, in its own package).
 */
public final class RecvHandles {
    private RecvHandles() {}

    /** The allocator's own handle behind {@code ch}'s read handle. On {@code ch}'s event loop. */
    public static RecvByteBufAllocator.Handle allocatorHandle(Channel ch) {
        RecvByteBufAllocator.Handle h = ch.unsafe().recvBufAllocHandle();
        while (h instanceof RecvByteBufAllocator.DelegatingHandle d) {
            h = d.delegate();
        }
        return h;
    }
}
