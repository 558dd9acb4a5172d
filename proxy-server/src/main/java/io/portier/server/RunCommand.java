package io.portier.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portier.admin.AdminServer;
import io.portier.admin.ReloadHandler;
import io.portier.config.PortierConfig;
import io.portier.core.ListenerBindException;
import io.portier.core.Portier;
import io.portier.core.reload.ConfigWatcher;
import io.portier.core.reload.Reloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Optional;

/** {@code portier run -c FILE}: starts the proxy and runs until SIGTERM or Ctrl-C. */
final class RunCommand {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    private RunCommand() {}

    /** Blocks until the proxy has stopped; returns the exit code. */
    static int execute(Path file, PrintStream err) throws InterruptedException {
        Optional<PortierConfig> config = ConfigFiles.load(file, err);
        if (config.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        PrometheusMeterRegistry registry = newRegistry();
        Portier portier;
        try {
            portier = Portier.start(config.get(), registry);
        } catch (ListenerBindException e) {
            err.println(describe(e));
            return ExitCodes.BIND_FAILED;
        } catch (IllegalStateException e) {
            // e.g. transport = epoll where epoll does not load: the config cannot be honoured here
            err.println(file + ": portier." + e.getMessage());
            return ExitCodes.INVALID_CONFIG;
        }
        Reloader reloader = new Reloader(portier, file);
        AtomicReference<AdminServer> admin = new AtomicReference<>();
        // The admin API stays up during the drain (readyz answers 503) and closes after it.
        Lifecycle lifecycle = new Lifecycle(() -> portier.shutdown().whenComplete((done, failure) -> {
            AdminServer started = admin.get();
            if (started != null) {
                started.close();
            }
        }), Lifecycle.shutdownBound(config.get()), () -> reloader.reload(false));
        // Signal handlers before readiness: a SIGHUP sent as soon as /readyz answers 200 must find
        // its handler, not the JVM's default (exit).
        lifecycle.install();
        try {
            admin.set(AdminServer.start(portier, config.get().admin(), registry, ReloadHandler.of(reloader)));
        } catch (IllegalStateException e) {
            err.println("portier: " + e.getMessage());
            lifecycle.stop();
            return ExitCodes.BIND_FAILED;
        }
        log.info("portier {} running: config {}, {} listener(s), transport {}, {} worker(s)",
                Version.current(), file, config.get().listeners().size(), portier.transportName(),
                portier.workers());
        ConfigWatcher watcher = startWatcher(config.get(), file, reloader);
        try {
            return lifecycle.waitUntilStopped();
        } finally {
            if (watcher != null) {
                watcher.close();
            }
        }
    }

    /** Watches the config file (and its includes) when {@code reload.watch} is on. */
    private static ConfigWatcher startWatcher(PortierConfig config, Path file, Reloader reloader) {
        if (!config.reload().watch()) {
            return null;
        }
        try {
            return new ConfigWatcher(file, config.reload().settle(), () -> reloader.reload(false));
        } catch (IOException e) {
            log.warn("cannot watch {}: {}; reload with SIGHUP or the admin API", file, e.toString());
            return null;
        }
    }

    /** The metrics registry of the process, scraped by the admin API's {@code /metrics}. */
    static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** One line naming the listener, the address and the OS reason. */
    static String describe(ListenerBindException e) {
        return "portier: listener " + e.listener() + ": cannot bind " + e.address() + ": " + e.reason();
    }
}
