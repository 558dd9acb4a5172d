package io.portier.admin;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.portier.admin.support.Backend;
import io.portier.config.ConfigLoader;
import io.portier.core.Portier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Closing the admin server while a client is half-way through a request: the connection ends, and the
 * read buffer holding the half-read request is released, not left for the garbage collector.
 *
 * <p>Each test closes {@value #ROUNDS} admin servers in a row: whether Netty's own loop shutdown
 * would close the connection depends on what the loop is doing at that instant (it skipped it in about
 * 4 rounds in 10 on a 2-core VM), so one round alone would often pass without the server's own close.
 */
class AdminServerCloseTest {
    private static final int ROUNDS = 20;
    /** A whole request, then the start of a second one that never ends, in one write. */
    private static final String HALF_READ = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ";

    private final ListAppender<ILoggingEvent> leakReports = new ListAppender<>();
    private final Logger leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private ResourceLeakDetector.Level levelBefore;
    private Backend a;
    private PrometheusMeterRegistry registry;
    private Portier portier;

    @BeforeEach
    void start() throws Exception {
        levelBefore = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        leakReports.start();
        leakLogger.addAppender(leakReports);
        a = new Backend("a");
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        portier = Portier.start(ConfigLoader.parse("""
                portier {
                  workers = 1
                  admin.bind = "127.0.0.1:0"
                  access-log.enabled = off
                  listeners.web { bind = "127.0.0.1:0", pool = web }
                  pools.web { health.type = none, servers = [{ name = a, address = "%s" }] }
                }
                """.formatted(a.address()), "test.conf"), registry);
    }

    @AfterEach
    void stop() throws Exception {
        portier.close();
        registry.close();
        a.close();
        leakLogger.detachAppender(leakReports);
        ResourceLeakDetector.setLevel(levelBefore);
    }

    @Test
    void closeEndsAConnectionHalfWayThroughARequest() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            try (Socket s = closeAdminUnderAHalfReadRequest()) {
                assertThat(s.getInputStream().read()).as("round %d: after the answer", round).isEqualTo(-1);
            } catch (SocketTimeoutException e) {
                fail("round " + round + ": the admin server closed but left its end of the connection open");
            }
        }
    }

    @Test
    void closeReleasesTheBufferOfAHalfReadRequest() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            closeAdminUnderAHalfReadRequest().close();
        }
        // a leaked buffer is reported once the collector has found it, on the next tracked allocation
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            System.gc();
            ByteBufAllocator.DEFAULT.buffer(1).release();
            assertThat(httpCodecLeaks()).isEmpty();
        });
    }

    /**
     * Starts an admin server, leaves a client half-way through a request on it and closes the server;
     * returns the client's socket, the whole request's answer read.
     */
    private Socket closeAdminUnderAHalfReadRequest() throws IOException {
        // a registry of its own: the admin server binds the JVM meters once per registry
        PrometheusMeterRegistry adminRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdminServer admin = AdminServer.start(portier, portier.config().admin(), adminRegistry, null);
        try {
            return connectHalfWayThroughARequest(admin.port());
        } finally {
            admin.close();
            adminRegistry.close();
        }
    }

    /** Once the answer to the whole request is read, the server has read the half one too (same write). */
    private static Socket connectHalfWayThroughARequest(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        try {
            s.setSoTimeout(2000);
            s.getOutputStream().write(HALF_READ.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(readResponseHead(s.getInputStream())).startsWith("HTTP/1.1 200");
            return s;
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** Reads one response with a Content-Length body; returns its status line and headers. */
    private static String readResponseHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            assertThat(c).as("response so far: %s", head).isNotNegative();
            head.write(c);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = text.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        assertThat(in.readNBytes(length)).hasSize(length);
        return text;
    }

    /** Leak reports of buffers the admin's HTTP codec last touched. */
    private List<String> httpCodecLeaks() {
        synchronized (leakReports) { // the appender appends under its own lock
            return leakReports.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("HttpObjectDecoder")).toList();
        }
    }
}
