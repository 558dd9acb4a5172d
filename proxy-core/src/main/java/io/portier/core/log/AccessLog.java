package io.portier.core.log;

import io.portier.config.AccessLogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one line per ended frontend connection, in logfmt or JSON.
 *
 * <p>{@code destination = stdout} goes through the SLF4J logger {@code portier.access} (the server's
 * logback.xml prints it bare on stdout). A file destination is appended to by one background thread
 * fed through a bounded queue, so an event loop never blocks on disk: when the queue is full the line
 * is dropped and counted.
 *
 * <p>Thread-safety: {@link #log} is called from every event loop.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger ACCESS = LoggerFactory.getLogger("portier.access");
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final String STOP = new String("stop");

    private final boolean enabled;
    private final boolean json;
    private final BlockingQueue<String> queue;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();

    public AccessLog(AccessLogConfig config) {
        this.enabled = config.enabled();
        this.json = config.format() == AccessLogConfig.Format.JSON;
        if (enabled && !"stdout".equals(config.destination())) {
            Path file = Path.of(config.destination());
            queue = new ArrayBlockingQueue<>(65536);
            writer = new Thread(() -> drainTo(file), "portier-access-log");
            writer.setDaemon(true);
            writer.start();
        } else {
            queue = null;
            writer = null;
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** Lines dropped because the file writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    public void log(AccessRecord r) {
        if (!enabled) {
            return;
        }
        String line = json ? toJson(r) : toLogfmt(r);
        if (queue == null) {
            ACCESS.info(line);
        } else if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    static String toLogfmt(AccessRecord r) {
        StringBuilder b = new StringBuilder(200);
        b.append("ts=").append(Instant.ofEpochMilli(r.endEpochMillis()))
                .append(" listener=").append(r.listener())
                .append(" port=").append(r.port())
                .append(" client=").append(r.client())
                .append(" pool=").append(r.pool())
                .append(" server=").append(r.server() == null ? "-" : r.server())
                .append(" connect_ms=");
        if (r.connectMillis() < 0) {
            b.append('-');
        } else {
            b.append(r.connectMillis());
        }
        return b.append(" duration_ms=").append(r.durationMillis())
                .append(" bytes_in=").append(r.bytesIn())
                .append(" bytes_out=").append(r.bytesOut())
                .append(" end=").append(r.end().text())
                .toString();
    }

    static String toJson(AccessRecord r) {
        StringBuilder b = new StringBuilder(240);
        b.append("{\"ts\":\"").append(Instant.ofEpochMilli(r.endEpochMillis()))
                .append("\",\"listener\":\"").append(r.listener())
                .append("\",\"port\":").append(r.port())
                .append(",\"client\":\"").append(r.client())
                .append("\",\"pool\":\"").append(r.pool())
                .append("\",\"server\":");
        if (r.server() == null) {
            b.append("null");
        } else {
            b.append('"').append(r.server()).append('"');
        }
        b.append(",\"connect_ms\":");
        if (r.connectMillis() < 0) {
            b.append("null");
        } else {
            b.append(r.connectMillis());
        }
        return b.append(",\"duration_ms\":").append(r.durationMillis())
                .append(",\"bytes_in\":").append(r.bytesIn())
                .append(",\"bytes_out\":").append(r.bytesOut())
                .append(",\"end\":\"").append(r.end().text())
                .append("\"}")
                .toString();
    }

    private void drainTo(Path file) {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                String line = queue.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    out.flush();
                    continue;
                }
                if (line == STOP) {
                    break;
                }
                out.write(line);
                out.newLine();
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            LOG.error("access log {}: {}; access lines are dropped from now on", file, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            try {
                queue.put(STOP);
                writer.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
