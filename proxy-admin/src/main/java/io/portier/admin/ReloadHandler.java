package io.portier.admin;

/**
 * What {@code POST /api/v1/reload} calls: reads the config file again and applies it (or, for a dry
 * run, only validates and diffs it). Implemented by the runtime that owns the config file; the admin
 * server receives it from the server module.
 *
 * <p>Thread: called on a dedicated admin thread, never an event loop, one call at a time. It may
 * block for as long as reading, validating and applying the config takes.
 */
public interface ReloadHandler {

    /**
     * @param dryRun true to validate and diff only; the running config stays untouched
     * @return the outcome; never null. An invalid config is an outcome with problems, not an exception.
     */
    ReloadResult reload(boolean dryRun);

    /** The generation of the running config: 1 for the config started with, +1 per applied reload. */
    long generation();
}
