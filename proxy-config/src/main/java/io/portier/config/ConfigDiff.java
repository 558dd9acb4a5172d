package io.portier.config;

import java.util.List;

/** What changes between two configs: listeners and pools added, removed and changed, per field. */
public final class ConfigDiff {
    private ConfigDiff() {}

    public static ConfigDiff between(PortierConfig before, PortierConfig after) {
        throw new UnsupportedOperationException("TODO");
    }

    public List<String> describe() {
        throw new UnsupportedOperationException("TODO");
    }
}
