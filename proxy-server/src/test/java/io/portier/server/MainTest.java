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
    void exitsWithUsageOnCheckDiff() {
        Console console = Console.run("check", "-c", "portier.conf", "--diff");

        assertThat(console.exitCode()).isEqualTo(2);
        assertThat(console.err()).contains("--diff is not available yet");
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
