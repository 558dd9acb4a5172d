package io.portier.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a user meets it: exit codes, usage, version. Needs no proxy. */
class MainTest {

    @Test
    void exitsWithUsageOnAnUnknownCommand() {
        Console console = Console.run("frobnicate");

        assertThat(console.exitCode()).isEqualTo(2);
        assertThat(console.err()).startsWith("portier: unknown command: frobnicate\n")
                .contains("Usage: portier [COMMAND] [OPTIONS]");
        assertThat(console.out()).isEmpty();
    }

    @Test
    void exitsWithUsageWhenRunHasNoConfigFile() {
        Console console = Console.run("run");

        assertThat(console.exitCode()).isEqualTo(2);
        assertThat(console.err()).startsWith("portier: run: missing -c FILE (or set PORTIER_CONFIG)\n");
    }

    @Test
    void checkDiffWithoutARunningProxySaysItCannotReachIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("portier.conf"), """
                portier {
                  admin.bind = "127.0.0.1:%d"
                  listeners.web { bind = "127.0.0.1:0", pool = p }
                  pools.p.servers = [{ name = a, address = "127.0.0.1:9001" }]
                }
                """.formatted(port));
        Console console = Console.run("check", "-c", file.toString(), "--diff");

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.out()).isEqualTo(file + ": ok\n");
        assertThat(console.err()).startsWith("portier: cannot reach the admin API at http://127.0.0.1:" + port
                + "/api/v1/config (connection refused)");
    }

    @Test
    void printsHelpOnStdout() {
        Console console = Console.run("--help");

        assertThat(console.exitCode()).isZero();
        assertThat(console.out()).startsWith("Usage: portier [COMMAND] [OPTIONS]")
                .contains("check -c FILE").contains("Exit codes: 0 ok, 1 invalid config, 2 usage, 3");
    }

    @Test
    void printsTheVersion() {
        Console console = Console.run("version");

        assertThat(console.exitCode()).isZero();
        assertThat(console.out()).matches("portier \\d+\\.\\d+\\.\\d+\\S*\n");
    }

    @Test
    void checkReportsAMissingFileAsInvalidConfig(@TempDir Path dir) {
        Path missing = dir.resolve("missing.conf");

        Console console = Console.run("check", "-c", missing.toString());

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.err()).isEqualTo(missing + ": cannot read: no such file\n");
    }

    @Test
    void checkReadsTheFileNamedByPortierConfig(@TempDir Path dir) {
        Path missing = dir.resolve("from-env.conf");

        Console console = Console.run(Map.of("PORTIER_CONFIG", missing.toString()), "check");

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.err()).isEqualTo(missing + ": cannot read: no such file\n");
    }

    @Test
    void runRefusesAMissingFileWithoutStarting(@TempDir Path dir) {
        Path missing = dir.resolve("missing.conf");

        Console console = Console.run("run", "-c", missing.toString());

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.err()).isEqualTo(missing + ": cannot read: no such file\n");
    }
}
