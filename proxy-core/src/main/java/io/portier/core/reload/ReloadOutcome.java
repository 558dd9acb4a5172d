package io.portier.core.reload;

import java.util.List;

/**
 * What a reload did, as the admin API and {@code ./portier reload} report it.
 *
 * @param applied    true when the new config runs now (always false for a dry run)
 * @param generation the generation running after the reload
 * @param changes    what changed (or would change, for a dry run), one line each
 * @param problems   why the config was rejected, as {@code FILE:LINE: path: message}; empty when valid
 */
public record ReloadOutcome(boolean applied, boolean dryRun, long generation, List<String> changes,
                            List<String> problems) {

    public ReloadOutcome {
        changes = List.copyOf(changes);
        problems = List.copyOf(problems);
    }

    public boolean rejected() {
        return !problems.isEmpty();
    }
}
