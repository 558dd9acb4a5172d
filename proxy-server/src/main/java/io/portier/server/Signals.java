package io.portier.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * POSIX signal handlers through {@code sun.misc.Signal} (module jdk.unsupported), guarded: where a
 * signal is unknown (HUP on Windows) or reserved by the JVM ({@code -Xrs}), nothing is installed and
 * the JVM's default stays. A signal the process was started with ignored (HUP under {@code nohup},
 * INT for a shell's background job) stays ignored: the JVM does not let a handler replace that; for
 * HUP, the reload signal, a warning says so.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    /** What a handler receives: the signal's name without "SIG" (TERM, INT, HUP) and its number. */
    interface Handler {
        void handle(String name, int number);
    }

    private Signals() {}

    /**
     * Replaces the handling of signal {@code name} ("TERM", "INT", "HUP"). The handler runs on a
     * thread of its own for each signal, so it may block.
     *
     * @return whether the handler was installed
     */
    static boolean handle(String name, Handler handler) {
        try {
            sun.misc.SignalHandler previous =
                    Signal.handle(new Signal(name), signal -> handler.handle(signal.getName(), signal.getNumber()));
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // HotSpot keeps a shutdown signal (HUP, INT, TERM) ignored when the process started
                // with it ignored, and reports SIG_IGN instead of installing the handler. Only HUP is
                // worth a warning: a shell ignores INT for its background jobs on purpose.
                if ("HUP".equals(name)) {
                    log.warn("SIGHUP was ignored when portier started (as under nohup) and stays ignored: "
                            + "reload with `portier reload` or POST /api/v1/reload");
                } else {
                    log.debug("SIG{} was ignored when portier started and stays ignored", name);
                }
                return false;
            }
            return true;
        } catch (IllegalArgumentException | LinkageError e) {
            log.debug("SIG{} cannot be handled here: {}", name, e.toString());
            return false;
        }
    }
}
