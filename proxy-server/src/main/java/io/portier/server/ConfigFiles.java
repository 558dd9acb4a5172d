package io.portier.server;

import io.portier.config.ConfigLoader;
import io.portier.config.InvalidConfigException;
import io.portier.config.PortierConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a config file for a command, printing what is wrong with it. */
final class ConfigFiles {
    private ConfigFiles() {}

    /**
     * Loads {@code file} over reference.conf.
     *
     * @return the config, or empty when the file is missing, unreadable or invalid; then every problem
     *         has been printed to {@code err}, one per line, as {@code FILE:LINE: path: message}
     */
    static Optional<PortierConfig> load(Path file, PrintStream err) {
        if (!Files.exists(file)) {
            err.println(file + ": cannot read: no such file");
            return Optional.empty();
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            err.println(file + ": cannot read: not a readable file");
            return Optional.empty();
        }
        try {
            return Optional.of(ConfigLoader.load(file));
        } catch (InvalidConfigException e) {
            e.problems().forEach(err::println);
            return Optional.empty();
        }
    }
}
