package io.portier.admin;

import io.portier.core.reload.ReloadOutcome;
import io.portier.core.reload.Reloader;

/**
 * What {@code POST /api/v1/reload} calls: reads the config file again and applies it (or, for a dry
 * run, only validates and diffs it). Passed in by the server module, which owns the config file.
 *
 * <p>Thread: called on the admin's reload thread, never an event loop, one call at a time. It may
 * block for as long as reading, validating and applying the config takes.
 */
@FunctionalInterface
public interface ReloadHandler {

    /**
     * @param dryRun true to validate and diff only; the running config stays untouched
     * @return the outcome, never null; an invalid config is an outcome with problems, not an exception
     */
    ReloadResult reload(boolean dryRun);

    /** Reloads through the core's {@link Reloader} (the same path as SIGHUP and the file watch). */
    static ReloadHandler of(Reloader reloader) {
        return dryRun -> {
            ReloadOutcome o = reloader.reload(dryRun);
            return new ReloadResult(!o.rejected(), o.generation(), o.changes(), o.problems());
        };
    }
}
