package io.portier.core.reload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each way a config file gets replaced causes exactly one reload. */
class ConfigWatcherTest {
    private static final Duration SETTLE = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @Test
    void inPlaceWriteCausesOneReload() throws Exception {
        Path file = dir.resolve("portier.conf");
        Files.writeString(file, "portier.workers = 1\n");
        AtomicInteger reloads = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(file, SETTLE, reloads::incrementAndGet)) {
            Files.writeString(file, "portier.workers = 2\n");
            Files.writeString(file, "portier.workers = 2\nportier.reload.settle = 1s\n");
            assertExactlyOne(reloads);
        }
    }

    @Test
    void writeThenRenameCausesOneReload() throws Exception {
        Path file = dir.resolve("portier.conf");
        Files.writeString(file, "portier.workers = 1\n");
        AtomicInteger reloads = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(file, SETTLE, reloads::incrementAndGet)) {
            Path tmp = dir.resolve(".portier.conf.swp");
            Files.writeString(tmp, "portier.workers = 2\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertExactlyOne(reloads);
        }
    }

    @Test
    void configMapSymlinkSwapCausesOneReload() throws Exception {
        // The layout Kubernetes mounts: portier.conf -> ..data/portier.conf, ..data -> ..2026_v1
        Path v1 = Files.createDirectory(dir.resolve("..2026_v1"));
        Files.writeString(v1.resolve("portier.conf"), "portier.workers = 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = dir.resolve("portier.conf");
        Files.createSymbolicLink(file, Path.of("..data/portier.conf"));
        AtomicInteger reloads = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(file, SETTLE, reloads::incrementAndGet)) {
            Path v2 = Files.createDirectory(dir.resolve("..2026_v2"));
            Files.writeString(v2.resolve("portier.conf"), "portier.workers = 2\n");
            Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            assertExactlyOne(reloads);
            assertThat(Files.readString(file)).contains("workers = 2");
        }
    }

    @Test
    void includedFileIsWatchedAndOtherFilesAreNot() throws Exception {
        Path included = dir.resolve("pools.conf");
        Files.writeString(included, "portier.reload.settle = 2s\n");
        Path file = dir.resolve("portier.conf");
        Files.writeString(file, "include \"pools.conf\"\nportier.workers = 1\n");
        AtomicInteger reloads = new AtomicInteger();
        try (ConfigWatcher watcher = new ConfigWatcher(file, SETTLE, reloads::incrementAndGet)) {
            assertThat(watcher.watchedFiles()).contains(included.toAbsolutePath().normalize());
            Files.writeString(dir.resolve("unrelated.log"), "noise\n");
            Thread.sleep(SETTLE.toMillis() * 3); // nothing may happen: a bounded wait for a non-event
            assertThat(reloads).hasValue(0);
            Files.writeString(included, "portier.reload.settle = 3s\n");
            assertExactlyOne(reloads);
        }
    }

    private static void assertExactlyOne(AtomicInteger reloads) throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() >= 1);
        Thread.sleep(SETTLE.toMillis() * 3); // a second reload would have fired by now
        assertThat(reloads).hasValue(1);
    }
}
