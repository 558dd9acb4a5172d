package io.portier.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code portier run} as a real process: SIGHUP reloads the config file, SIGTERM drains (readyz
 * answers 503 meanwhile) and exits 0; an admin address already taken exits 3. Needs POSIX signals,
 * so Linux or macOS.
 */
@EnabledOnOs(value = {OS.LINUX, OS.MAC}, disabledReason = "sends POSIX signals with kill")
class ProcessSignalsTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sighupReloadsAndSigtermDrainsThenExitsZero(@TempDir Path dir) throws Exception {
        int admin = freePort();
        int web = freePort();
        int api = freePort();
        try (ServerSocket backend = new ServerSocket(0)) {
            Thread acceptor = holdEveryConnection(backend);
            Path file = dir.resolve("portier.conf");
            Files.writeString(file, config(admin, backend.getLocalPort(), "web", web));
            Process portier = new ProcessBuilder(javaCommand("run", "-c", file.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("portier.log").toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> get(admin, "/readyz").statusCode() == 200);

                if (sighupIgnoredHere()) {
                    // Started with SIGHUP ignored (a build under nohup): the child inherits that, the JVM
                    // keeps it, and Portier says so.
                    await().atMost(Duration.ofSeconds(10)).until(() ->
                            Files.readString(dir.resolve("portier.log")).contains("SIGHUP was ignored"));
                } else {
                    Files.writeString(file, config(admin, backend.getLocalPort(), "web", web)
                            .replace("listeners {", "listeners {\n    api { bind = \"127.0.0.1:" + api + "\", pool = p }"));
                    signal(portier, "HUP");
                    // Generous: on a loaded machine the JVM of the child process can be slow to answer.
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> get(admin, "/api/v1/status").body().contains("\"config_generation\" : 2"));
                    try (Socket viaNewListener = new Socket("127.0.0.1", api)) {
                        assertThat(viaNewListener.isConnected()).isTrue();
                    }
                }

                try (Socket live = new Socket("127.0.0.1", web)) {
                    live.getOutputStream().write('x');
                    await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                            .until(() -> get(admin, "/api/v1/listeners").body().contains("\"active\" : 1"));
                    long start = System.nanoTime();
                    signal(portier, "TERM");
                    await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                            .until(() -> get(admin, "/readyz").statusCode() == 503);
                    assertThat(portier.waitFor(15, TimeUnit.SECONDS)).as("exited within drain + margin").isTrue();
                    assertThat(portier.exitValue()).isZero();
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1500));
                    live.setSoTimeout(2000);
                    assertThat(live.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(Files.readString(dir.resolve("portier.log")))
                        .contains(sighupIgnoredHere() ? "end=shutdown" : "SIGHUP: reloading")
                        .contains("end=shutdown");
            } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("portier's output:\n" + Files.readString(dir.resolve("portier.log")), e);
            } finally {
                portier.destroyForcibly();
                acceptor.interrupt();
            }
        }
    }

    @Test
    void adminAddressAlreadyTakenExitsThreeNamingIt(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             ServerSocket backend = new ServerSocket(0)) {
            Path file = dir.resolve("portier.conf");
            Files.writeString(file, config(taken.getLocalPort(), backend.getLocalPort(), "web", freePort()));
            Process portier = new ProcessBuilder(javaCommand("run", "-c", file.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("portier.log").toFile())
                    .start();
            try {
                assertThat(portier.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
                String output = Files.readString(dir.resolve("portier.log"));
                assertThat(portier.exitValue()).as(output).isEqualTo(ExitCodes.BIND_FAILED);
                assertThat(output)
                        .contains("admin: cannot bind 127.0.0.1:" + taken.getLocalPort())
                        .contains("Address already in use")
                        .doesNotContain("\tat io.netty");
            } finally {
                portier.destroyForcibly();
            }
        }
    }

    private static String config(int admin, int backend, String listener, int port) {
        return """
                portier {
                  workers = 1
                  admin.bind = "127.0.0.1:%d"
                  reload.watch = off
                  listeners {
                    %s { bind = "127.0.0.1:%d", pool = p, timeouts.drain = 2s }
                  }
                  pools.p { servers = [{ name = b, address = "127.0.0.1:%d" }], health.type = none }
                }
                """.formatted(admin, listener, port, backend);
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Whether this process has SIGHUP ignored (Linux: the SigIgn mask of /proc/self/status). */
    private static boolean sighupIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("SigIgn:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 1L) != 0); // bit 0: SIGHUP (1)
    }

    /** The JVM running these tests, with their class path, running Portier's main. */
    private static List<String> javaCommand(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.portier.server.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Accepts connections and keeps them open, reading and discarding. */
    private static Thread holdEveryConnection(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread reader = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        } catch (IOException ignored) {
                            // the proxy closed it
                        }
                    });
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
