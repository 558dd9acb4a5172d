package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Chromium;
import io.portier.admin.support.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium}), driven over the DevTools
 * protocol: it asks for the token, shows the running config, its charts move with live traffic, and
 * its drain button drains. Screenshots go to {@code target/dashboard*.png}.
 */
class DashboardBrowserTest {
    private static final String TOKEN = "dashboard-token";
    private static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");

    @TempDir
    Path tmp;

    private final List<String> consoleErrors = new CopyOnWriteArrayList<>();
    private final AtomicInteger prompts = new AtomicInteger();
    private Chromium browser;

    @BeforeEach
    void launch() throws Exception {
        Path binary = Chromium.find().orElse(null);
        assumeTrue(binary != null, "no Chromium at /usr/bin/chromium: install Debian's 'chromium' package "
                + "(.ci/run does) to run the dashboard browser test");
        Files.createDirectories(TARGET);
        browser = Chromium.launch(binary, tmp.resolve("profile"), TARGET.resolve("chromium.log"), 1280, 1000);
        browser.on("Runtime.consoleAPICalled", e -> {
            String type = e.get("type").asText();
            if (type.equals("error") || type.equals("assert")) {
                consoleErrors.add("console." + type + ": " + e.get("args"));
            }
        });
        browser.on("Runtime.exceptionThrown", e -> consoleErrors.add("exception: " + e.get("exceptionDetails")));
        browser.on("Log.entryAdded", e -> {
            JsonNode entry = e.get("entry");
            // the first API call answers 401 until the page has asked for the token: expected, not an error
            boolean expected401 = entry.get("source").asText().equals("network")
                    && entry.get("text").asText().contains("status of 401");
            if (entry.get("level").asText().equals("error") && !expected401) {
                consoleErrors.add("log: " + entry.get("text").asText() + " " + entry.path("url").asText());
            }
        });
        browser.on("Page.javascriptDialogOpening", e -> {
            prompts.incrementAndGet();
            browser.callAsync("Page.handleJavaScriptDialog", Map.of("accept", true, "promptText", TOKEN));
        });
        browser.call("Runtime.enable", Map.of());
        browser.call("Log.enable", Map.of());
        browser.call("Page.enable", Map.of());
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void showsTheRunningProxyChartsTrafficAndDrainsAServer() throws Exception {
        Path config = tmp.resolve("portier.conf");
        try (Backend a = new Backend("a"); Backend b = new Backend("b"); Backend c = new Backend("c");
             AdminFixture fx = AdminFixture.startFile(write(config, """
                     portier {
                       workers = 1
                       admin { bind = "127.0.0.1:0", token = "%s" }
                       access-log.enabled = off
                       reload.watch = off
                       listeners {
                         web { bind = "127.0.0.1:0", pool = web }
                         api { bind = "127.0.0.1:0", pool = api }
                       }
                       pools {
                         web { health.type = none, servers = [{ name = a, address = "%s" }, { name = b, address = "%s" }] }
                         api { health.type = none, servers = [{ name = c, address = "%s" }] }
                       }
                     }
                     """.formatted(TOKEN, a.address(), b.address(), c.address())))) {
            fx.token(TOKEN);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread traffic = traffic(fx.port("web"), running);
            try {
                browser.call("Page.navigate", Map.of("url", fx.baseUrl() + "/"));

                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(text("#listeners")).contains("web", "api");
                    assertThat(text("#pools")).contains("web", "api");
                    assertThat(browser.eval("document.querySelectorAll('#pools tr[data-server]').length").asInt())
                            .isEqualTo(3);
                });
                assertThat(prompts.get()).as("asked for the token once").isEqualTo(1);
                assertThat(browser.eval("[...document.querySelectorAll('#pools tr[data-server]')]"
                        + ".map(r => r.dataset.server).sort().join(',')").asText()).isEqualTo("api/c,web/a,web/b");

                int samples = samples();
                String before = chart();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(samples()).isGreaterThanOrEqualTo(samples + 2);
                    assertThat(chart()).isNotEqualTo(before);
                });

                browser.eval("document.querySelector('button[data-pool=\"web\"][data-server=\"a\"][data-state=\"drain\"]').click()");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(fx.portier().pools().get("web").server("a").state().name()).isEqualTo("DRAIN");
                    assertThat(browser.eval("document.querySelector('[data-state-of=\"web/a\"]').textContent").asText())
                            .isEqualTo("DRAIN");
                });
                browser.eval("document.querySelector('#reload').click()");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(text("#banner")).startsWith("Config generation 2"));
                assertThat(fx.portier().reloadMetrics().generation()).isEqualTo(2);
                Thread.sleep(1500); // one more poll with traffic, so the screenshot shows moving charts
                Files.write(TARGET.resolve("dashboard.png"), browser.screenshot());
            } finally {
                running.set(false);
                traffic.join(5000);
            }
            assertThat(consoleErrors).isEmpty();
        }
    }

    @Test
    void staysCompactWith50ListenersAnd200Servers() throws Exception {
        StringBuilder listeners = new StringBuilder();
        StringBuilder pools = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            listeners.append("l").append(i).append(" { bind = \"127.0.0.1:0\", pool = p").append(i % 20).append(" }\n");
        }
        for (int p = 0; p < 20; p++) {
            pools.append("p").append(p).append(" { health.type = none, servers = [");
            for (int s = 0; s < 10; s++) {
                pools.append("{ name = s").append(s).append(", address = \"127.0.0.1:").append(20000 + p * 10 + s)
                        .append("\" }, ");
            }
            pools.append("] }\n");
        }
        try (AdminFixture fx = AdminFixture.start("""
                portier {
                  workers = 1
                  admin.bind = "127.0.0.1:0"
                  access-log.enabled = off
                  listeners { %s }
                  pools { %s }
                }
                """.formatted(listeners, pools))) {
            browser.call("Page.navigate", Map.of("url", fx.baseUrl() + "/"));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(browser.eval("document.querySelectorAll('#listeners tr[data-listener]').length").asInt())
                            .isEqualTo(50));
            assertThat(browser.eval("document.querySelectorAll('details.pool').length").asInt()).isEqualTo(20);
            assertThat(browser.eval("document.querySelectorAll('details.pool[open]').length").asInt())
                    .as("many pools start collapsed").isZero();
            browser.eval("document.querySelector('#expand').click()");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(browser.eval("document.querySelectorAll('#pools tr[data-server]').length").asInt())
                            .isEqualTo(200));
            assertThat(browser.eval("Math.max(...[...document.querySelectorAll('#pools tr[data-server]')]"
                    + ".map(r => r.getBoundingClientRect().height))").asDouble())
                    .as("one line per server").isLessThan(30);
            browser.eval("document.querySelector('#collapse').click()");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    browser.eval("document.querySelectorAll('details.pool[open]').length").asInt()).isZero());
            Files.write(TARGET.resolve("dashboard-large.png"), browser.screenshot());
            browser.eval("document.querySelector('#filter').value = 'p7'; "
                    + "document.querySelector('#filter').dispatchEvent(new Event('input'))");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    browser.eval("document.querySelectorAll('details.pool').length").asInt()).isEqualTo(1));
            assertThat(consoleErrors).isEmpty();
        }
    }

    private static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content);
    }

    private String text(String selector) {
        return browser.eval("document.querySelector('" + selector + "').innerText").asText();
    }

    private int samples() {
        return browser.eval("Number(document.getElementById('chart-conns').dataset.samples)").asInt();
    }

    private String chart() {
        return browser.eval("document.getElementById('chart-conns').toDataURL()").asText();
    }

    /** A connection every 20 ms through {@code port}, until {@code running} turns false. */
    private static Thread traffic(int port, AtomicBoolean running) {
        Thread t = new Thread(() -> {
            int i = 0;
            while (running.get()) {
                try (Client c = Client.connect(port)) {
                    c.backend();
                    c.roundTrip("x".repeat(100 + (i++ % 50) * 100));
                    Thread.sleep(20);
                } catch (IOException e) {
                    // the drained server or shutdown: keep going until told to stop
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "dashboard-traffic");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
