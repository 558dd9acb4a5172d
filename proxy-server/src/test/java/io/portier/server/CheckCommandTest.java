package io.portier.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /** Each bad file, and the exact lines {@code check} prints for it ({@code F} is the file). */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badFiles() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("""
                        portier {
                          listeners.web { bind = "127.0.0.1:8080", pool = wbe }
                          pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }]
                        }
                        """, List.of("F:2: portier.listeners.web.pool: \"wbe\" (expected: one of the pools web)")),
                org.junit.jupiter.params.provider.Arguments.of("""
                        portier {
                          listeners.web { bind = "127.0.0.1:8080", pool = web, limits.connection-rate = -5 }
                          pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }]
                        }
                        """, List.of("F:2: portier.listeners.web.limits.connection-rate: -5 (expected: > 0 or \"unlimited\")")),
                org.junit.jupiter.params.provider.Arguments.of("""
                        portier {
                          listeners.web { bind = "127.0.0.1:8080", pool = web, limits { conection-rate = 5 } }
                          pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }]
                        }
                        """, List.of("F:2: portier.listeners.web.limits.conection-rate: unknown key (did you mean connection-rate?)")),
                org.junit.jupiter.params.provider.Arguments.of("""
                        portier {
                          listeners.web { bind = "127.0.0.1:8080", pool = web }
                          pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }, { name = a, address = "127.0.0.1:9002" }]
                        }
                        """, List.of("F:3: portier.pools.web.servers[1].name: \"a\" (expected: a name no other server of pool web has)")),
                org.junit.jupiter.params.provider.Arguments.of("""
                        portier {
                          listeners.web { bind = "127.0.0.1:8080", pool = web }
                          listeners.api { bind = "127.0.0.1:8080", pool = web }
                          pools.web.servers = [{ name = a, address = "127.0.0.1:9001" }]
                        }
                        """, List.of("F:3: portier.listeners.api.bind: \"127.0.0.1:8080\" (expected: an address and port no other bind takes; listener web binds 127.0.0.1:8080)")),
                org.junit.jupiter.params.provider.Arguments.of("""
                        portier {
                          workers = 0
                          pools.web { balance = roundrobin, servers = [{ name = a, address = "127.0.0.1:99999" }] }
                        }
                        """, List.of(
                        "F:2: portier.workers: 0 (expected: an integer 1-1024 or \"auto\")",
                        "F:3: portier.pools.web.balance: \"roundrobin\" (expected: one of round-robin, least-connections, random-two, source-hash, first)",
                        "F:3: portier.pools.web.servers[0].address: \"127.0.0.1:99999\" (expected: port 1-65535)")));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("badFiles")
    void printsTheExactProblemsOfEachBadFileAndExitsOne(String hocon, List<String> expected, @TempDir Path dir)
            throws IOException {
        Path file = write(dir.resolve("bad.conf"), hocon);

        Console console = Console.run("check", "-c", file.toString());

        assertThat(console.exitCode()).isEqualTo(1);
        assertThat(console.out()).isEmpty();
        assertThat(console.err().lines().toList())
                .containsExactlyElementsOf(expected.stream().map(l -> l.replace("F:", file + ":")).toList());
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
