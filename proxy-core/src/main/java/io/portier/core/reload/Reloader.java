package io.portier.core.reload;

import io.portier.config.ConfigDiff;
import io.portier.config.ConfigLoader;
import io.portier.config.ConfigProblem;
import io.portier.config.InvalidConfigException;
import io.portier.config.PortierConfig;
import io.portier.core.ListenerBindException;
import io.portier.core.Portier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * Reloads a running proxy from its config file: validate the whole file, diff it against what runs,
 * apply the diff. Every trigger (file watch, SIGHUP, admin API, {@code ./portier reload}) ends here.
 *
 * <p>Thread-safety: one reload at a time ({@code synchronized}); an invalid config or a failed bind
 * changes nothing and is counted as rejected.
 */
public final class Reloader {
    private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

    private final Portier portier;
    private final Path file;

    public Reloader(Portier portier, Path file) {
        this.portier = portier;
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Reads the file again and applies it (or, with {@code dryRun}, only validates and diffs it). */
    public synchronized ReloadOutcome reload(boolean dryRun) {
        PortierConfig next;
        try {
            next = ConfigLoader.load(file);
        } catch (InvalidConfigException e) {
            return rejected(dryRun, e.problems().stream().map(ConfigProblem::toString).toList());
        }
        List<String> changes = ConfigDiff.between(portier.config(), next).describe();
        if (dryRun) {
            return new ReloadOutcome(false, true, portier.reloadMetrics().generation(), changes, List.of());
        }
        try {
            long generation = portier.reload(next);
            LOG.info("config generation {} from {}: {}", generation, file,
                    changes.isEmpty() ? "no changes" : String.join("; ", changes));
            return new ReloadOutcome(true, false, generation, changes, List.of());
        } catch (ListenerBindException e) {
            return rejected(false, List.of(file + ": portier.listeners." + e.listener() + ".bind: "
                    + e.address() + " (expected: a free address: " + e.reason() + ")"));
        } catch (IllegalStateException e) {
            return rejected(false, List.of(file + ": " + e.getMessage()));
        }
    }

    private ReloadOutcome rejected(boolean dryRun, List<String> problems) {
        if (!dryRun) {
            portier.reloadMetrics().rejected();
        }
        LOG.error("config {} rejected, the running config stays ({} problem{}):{}", file, problems.size(),
                problems.size() == 1 ? "" : "s", "\n  " + String.join("\n  ", problems));
        return new ReloadOutcome(false, dryRun, portier.reloadMetrics().generation(), List.of(), problems);
    }
}
