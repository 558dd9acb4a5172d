package io.portier.core.limit;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code on-limit = pause} for one frontend port: when a port-wide limit ({@code max-connections},
 * {@code connection-rate}) refuses an accepted connection, that connection is held (kept open, not
 * read, not connected to a server) and the port stops accepting: auto-read goes off on every
 * listening socket of the port, so new clients wait in the kernel's accept backlog. When a slot
 * frees (a connection's permit is released) or the rate bucket refills (a timer set for the moment
 * the next token is due), the held connections are admitted again in the order they came, and once
 * none is left the sockets accept again. Per-source and access rejections never pause the port.
 *
 * <p>Thread: every held-queue operation, pause and resume runs on one event loop (that of the
 * port's first listening socket), so the queue needs no lock. {@link #hold} and {@link #slotFreed}
 * may be called from any loop. The port's live connection count and the {@code paused} flag form a
 * Dekker pair: a release decrements then reads {@code paused}; a hold writes {@code paused} then
 * admits again, so a slot freed during a hold is never missed.
 *
 * <p>Bound: held connections are the ones accepted before auto-read took effect on each socket (at
 * most one accept batch per socket), plus those whose admission raced the pause.
 */
public final class AcceptPause {
    private static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int port;
    private final Supplier<Admission> admission;
    private final RejectionLog log;
    private final List<Channel> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile EventExecutor loop;
    private volatile boolean paused;
    // event loop `loop` only:
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private ScheduledFuture<?> retry;

    private record Held(Channel channel, InetAddress client, Consumer<Permit> resume) {}

    public AcceptPause(int port, Supplier<Admission> admission, RejectionLog log) {
        this.port = port;
        this.admission = admission;
        this.log = log;
    }

    /**
     * A listening socket of this port. Any thread; a socket added while paused starts paused; a
     * closed socket (unbound by a reload) leaves the list by itself.
     */
    public void addSocket(Channel socket) {
        sockets.add(socket);
        socket.closeFuture().addListener(f -> sockets.remove(socket));
        if (loop == null) {
            loop = socket.eventLoop();
        }
        if (paused) {
            socket.config().setAutoRead(false);
        }
    }

    /** True while accepting is paused on this port. */
    public boolean paused() {
        return paused;
    }

    /**
     * Holds {@code channel}, refused by {@code verdict} (a port-wide one), and pauses accepting. When
     * its turn comes, {@code resume} runs on the channel's own event loop with its new permit:
     * admitted, or refused by a non-port-wide check (the caller then rejects it). A channel closed
     * while held is dropped. Any thread.
     */
    public void hold(Channel channel, InetAddress client, Verdict verdict, Consumer<Permit> resume) {
        log.held(port, verdict);
        executor(channel).execute(() -> {
            held.add(new Held(channel, client, resume));
            if (!paused) {
                paused = true;
                for (Channel s : sockets) {
                    s.config().setAutoRead(false);
                }
            }
            drain();
        });
    }

    /** An admitted connection released its permit: held connections may go on. Any thread. */
    public void slotFreed() {
        if (paused && wakeQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                wakeQueued.set(false);
                drain();
            });
        }
    }

    private EventExecutor executor(Channel channel) {
        EventExecutor l = loop;
        if (l == null) {
            loop = l = channel.eventLoop();
        }
        return l;
    }

    /** Admits held connections in order while limits allow; resumes accepting when none is left. */
    private void drain() {
        Admission a = admission.get();
        Held h;
        while ((h = held.peek()) != null) {
            if (!h.channel().isActive()) {
                held.poll();
                continue;
            }
            Permit p = a.admit(h.client());
            if (!p.admitted() && p.verdict().portWide()) {
                if (p.verdict() == Verdict.RATE) {
                    retryIn(a.nanosUntilToken());
                }
                return;
            }
            held.poll();
            Held admitted = h;
            h.channel().eventLoop().execute(() -> admitted.resume().accept(p));
        }
        if (paused) {
            paused = false;
            for (Channel s : sockets) {
                s.config().setAutoRead(true);
            }
        }
    }

    /** Drains again when the next token is due; one timer at a time. */
    private void retryIn(long nanos) {
        if (retry == null) {
            retry = loop.schedule(() -> {
                retry = null;
                drain();
            }, Math.max(nanos, MIN_RETRY_NANOS), TimeUnit.NANOSECONDS);
        }
    }
}
