package io.portier.core.reload;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portier.config.ConfigLoader;
import io.portier.core.Portier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A proxy started from a config file in a temporary directory, with the reloader for that file. */
final class ReloadFixture implements AutoCloseable {
    final Path file;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Portier portier;
    final Reloader reloader;

    ReloadFixture(Path dir, String hocon) throws Exception {
        file = dir.resolve("portier.conf");
        Files.writeString(file, hocon);
        portier = Portier.start(ConfigLoader.load(file), registry);
        reloader = new Reloader(portier, file);
    }

    /** Writes {@code hocon} over the file and reloads. */
    ReloadOutcome reloadWith(String hocon) throws IOException {
        Files.writeString(file, hocon);
        return reloader.reload(false);
    }

    int port(String listener) {
        return portier.bound(listener).get(0).address().getPort();
    }

    double reloads(String result) {
        return registry.get("portier.config.reloads").tag("result", result).counter().count();
    }

    @Override
    public void close() {
        portier.close();
    }
}
