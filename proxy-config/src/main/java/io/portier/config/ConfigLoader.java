package io.portier.config;

import java.nio.file.Path;

/** Reads HOCON into a validated {@link PortierConfig}, reporting every problem at once. */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads FILE over reference.conf, resolving includes and ${?ENV}. */
    public static PortierConfig load(Path file) throws InvalidConfigException {
        throw new UnsupportedOperationException("TODO");
    }

    /** Parses a HOCON string over reference.conf; {@code originName} stands for the file name in messages. */
    public static PortierConfig parse(String hocon, String originName) throws InvalidConfigException {
        throw new UnsupportedOperationException("TODO");
    }
}
