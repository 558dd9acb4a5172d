package io.portier.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portier.admin.AdminServer;
import io.portier.config.ConfigLoader;
import io.portier.core.Portier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code check --diff} against a running proxy and its admin API, on loopback. */
class DiffCommandTest {
    private static final String RUNNING = """
            portier {
              admin.bind = "127.0.0.1:0"
              listeners.web { bind = "127.0.0.1:0", pool = p }
              pools.p { servers = [{ name = a, address = "127.0.0.1:9001" }], health.type = none }
            }
            """;

    @Test
    void printsWhatAReloadToTheFileWouldChangeAndChangesNothing(@TempDir Path dir) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Portier portier = Portier.start(ConfigLoader.parse(RUNNING, "running.conf"), registry);
        try (AdminServer admin = AdminServer.start(portier, portier.config().admin(), registry, null)) {
            Path file = Files.writeString(dir.resolve("next.conf"), RUNNING
                    .replace("{ name = a, address = \"127.0.0.1:9001\" }",
                            "{ name = a, address = \"127.0.0.1:9001\", weight = 3 }, { name = b, address = \"127.0.0.1:9002\" }")
                    .replace("pool = p }", "pool = p }\n  listeners.api { bind = \"127.0.0.1:0\", pool = p }"));

            Console console = Console.run(Map.of(), "check", "-c", file.toString(), "--diff",
                    "--admin", "127.0.0.1:" + admin.port());

            assertThat(console.err()).isEmpty();
            assertThat(console.exitCode()).isZero();
            assertThat(console.out()).startsWith(file + ": ok\na reload would change:\n")
                    .contains("  listener api added\n")
                    .contains("  pool p: server b added\n")
                    .contains("  pool p: server a: weight 1 -> 3\n");
            assertThat(portier.config().listeners()).containsOnlyKeys("web");
        } finally {
            portier.close();
        }
    }

    @Test
    void saysWhenAReloadWouldChangeNothing(@TempDir Path dir) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Portier portier = Portier.start(ConfigLoader.parse(RUNNING, "running.conf"), registry);
        try (AdminServer admin = AdminServer.start(portier, portier.config().admin(), registry, null)) {
            Path file = Files.writeString(dir.resolve("same.conf"), RUNNING);
            Console console = Console.run(Map.of(), "check", "-c", file.toString(), "--diff",
                    "--admin", "127.0.0.1:" + admin.port());
            assertThat(console.out()).isEqualTo(file + ": ok\na reload would change nothing\n");
        } finally {
            portier.close();
        }
    }
}
