package io.portier.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code portier check} over real config files; needs the config loader. */
class CheckCommandTest {

    @Test
    void printsEveryProblemAsFileLinePathMessageAndExitsOne(@TempDir Path dir) throws IOException {
        Path file = write(dir.resolve("bad.conf"), """
                portier {
                  workers = -3
                  listeners.web {
                    bind = "127.0.0.1:0"
                    pool = nowhere
                  }
                  pools.web {
                    servers = [{ name = a, address = "127.0.0.1:9001" }]
                  }
                }
                """);

        Console console = Console.run("check", "-c", file.toString());

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.out()).isEmpty();
        assertThat(console.err().lines().toList())
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(line -> assertThat(line).matches("\\S*bad\\.conf:\\d+: portier\\.\\S+: .+"))
                .anySatisfy(line -> assertThat(line).contains(": portier.workers: "))
                .anySatisfy(line -> assertThat(line).contains(": portier.listeners.web.pool: "));
    }

    @Test
    void saysOkAndExitsZeroOnAGoodFile(@TempDir Path dir) throws IOException {
        Path file = write(dir.resolve("good.conf"), """
                portier {
                  listeners.web {
                    bind = "127.0.0.1:0"
                    pool = web
                  }
                  pools.web {
                    balance = round-robin
                    servers = [
                      { name = a, address = "127.0.0.1:9001" }
                      { name = b, address = "127.0.0.1:9002", weight = 2 }
                    ]
                  }
                }
                """);

        Console console = Console.run("check", "-c", file.toString());

        assertThat(console.err()).isEmpty();
        assertThat(console.out()).isEqualTo(file + ": ok\n");
        assertThat(console.exitCode()).isZero();
    }

    private static Path write(Path file, String hocon) throws IOException {
        return Files.writeString(file, hocon);
    }
}
