package io.portier.core.transport;

import io.netty.channel.Channel;
import io.netty.channel.RecvHandles;

/** Test access to a live channel's {@link LazyAdaptiveRecvAllocator} handle. */
public final class Guessers {
    private Guessers() {}

    /** Whether {@code ch}'s receive handle has built its size guesser. On {@code ch}'s event loop. */
    public static boolean built(Channel ch) {
        return ((LazyAdaptiveRecvAllocator.LazyHandle) RecvHandles.allocatorHandle(ch)).sized();
    }
}
