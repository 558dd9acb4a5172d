package io.portier.admin;

import java.util.List;

/**
 * The outcome of a reload.
 *
 * @param ok         true when the new config was valid (and, unless a dry run, applied)
 * @param generation the config generation running after the call
 * @param changes    what the new config changes, one line each ("listener api added"); empty when rejected
 * @param problems   every problem of a rejected config, as {@code FILE:LINE: path: message}; empty when ok
 */
public record ReloadResult(boolean ok, long generation, List<String> changes, List<String> problems) {

    public ReloadResult {
        changes = List.copyOf(changes);
        problems = List.copyOf(problems);
    }

    public static ReloadResult applied(long generation, List<String> changes) {
        return new ReloadResult(true, generation, changes, List.of());
    }

    public static ReloadResult rejected(long generation, List<String> problems) {
        return new ReloadResult(false, generation, List.of(), problems);
    }
}
