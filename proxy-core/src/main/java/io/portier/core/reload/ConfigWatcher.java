package io.portier.core.reload;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches the config file and every file it includes, and calls back once the changes have settled:
 * events closer together than {@code settle} make one call.
 *
 * <p>It watches directories, not files, so that all the ways files get replaced are seen: a write in
 * place, an editor's write-then-rename, and a Kubernetes ConfigMap's swap of its {@code ..data}
 * symlink (any change to a name starting with {@code ..} in a watched directory counts). Events on
 * other files in those directories are ignored. After each call the set of included files is read
 * again, so a newly added {@code include} is watched too.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Duration settle;
    private final Runnable onChange;
    private final WatchService watch;
    private final ScheduledExecutorService timer;
    private final Thread thread;
    /** Written by the timer thread (refresh), read by the watch thread. */
    private final Map<WatchKey, Path> dirs = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Set<Path> watched = Set.of();
    private ScheduledFuture<?> pending;

    public ConfigWatcher(Path file, Duration settle, Runnable onChange) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.settle = settle;
        this.onChange = onChange;
        this.watch = FileSystems.getDefault().newWatchService();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portier-reload");
            t.setDaemon(true);
            return t;
        });
        refreshWatched();
        this.thread = new Thread(this::loop, "portier-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** The files whose changes trigger a reload: the config file and what it includes. */
    public Set<Path> watchedFiles() {
        return watched;
    }

    private synchronized void refreshWatched() {
        Set<Path> files = new HashSet<>();
        files.add(file);
        try {
            collectOrigins(ConfigFactory.parseFile(file.toFile()).root(), files);
        } catch (RuntimeException e) {
            // An unreadable file is reported by the reload itself; keep watching what we know.
        }
        watched = Set.copyOf(files);
        for (Path f : files) {
            Path dir = f.getParent();
            if (dir != null && !dirs.containsValue(dir)) {
                try {
                    dirs.put(dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE), dir);
                } catch (IOException e) {
                    LOG.warn("cannot watch {}: {}; changes there need SIGHUP or the admin API", dir, e.toString());
                }
            }
        }
    }

    private static void collectOrigins(ConfigValue value, Set<Path> files) {
        ConfigOrigin origin = value.origin();
        if (origin != null) {
            if (origin.filename() != null) {
                files.add(Path.of(origin.filename()).toAbsolutePath().normalize());
            } else {
                URL url = origin.url();
                if (url != null && "file".equals(url.getProtocol())) {
                    files.add(Path.of(url.getPath()).toAbsolutePath().normalize());
                }
            }
        }
        if (value instanceof ConfigObject object) {
            for (ConfigValue child : object.values()) {
                collectOrigins(child, files);
            }
        } else if (value instanceof com.typesafe.config.ConfigList list) {
            for (ConfigValue child : list) {
                collectOrigins(child, files);
            }
        }
    }

    private void loop() {
        while (true) {
            WatchKey key;
            try {
                key = watch.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = dirs.get(key);
            boolean relevant = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    relevant = true;
                    continue;
                }
                Path name = (Path) event.context();
                if (dir != null && (name.toString().startsWith("..")
                        || watched.contains(dir.resolve(name).toAbsolutePath().normalize()))) {
                    relevant = true;
                }
            }
            key.reset();
            if (relevant) {
                schedule();
            }
        }
    }

    private synchronized void schedule() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = timer.schedule(this::fire, settle.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            LOG.error("reload after a config change failed", e);
        } finally {
            refreshWatched();
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing
        }
        timer.shutdownNow();
        thread.interrupt();
    }
}
