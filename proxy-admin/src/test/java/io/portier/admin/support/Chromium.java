package io.portier.admin.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A headless Chromium driven through the Chrome DevTools Protocol over {@link java.net.http.WebSocket}
 * (no extra library): one page, commands with results, and event listeners.
 */
public final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<JsonNode>>> listeners = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();

    private Chromium(Process process, WebSocket socket, Receiver receiver) {
        this.process = process;
        this.socket = socket;
        receiver.owner = this;
    }

    /** The browser binary, when one is installed. */
    public static Optional<Path> find() {
        return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Starts a headless browser with a fresh profile in {@code profile} and attaches to its page. */
    public static Chromium launch(Path binary, Path profile, Path log, int width, int height) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            Path activePort = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(activePort) || Files.readAllLines(activePort).isEmpty()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("chromium did not open DevTools; see " + log);
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String ws = null;
            for (JsonNode t : JSON.readTree(list)) {
                if (t.get("type").asText().equals("page")) {
                    ws = t.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (ws == null) {
                throw new IllegalStateException("chromium has no page target: " + list);
            }
            Receiver receiver = new Receiver();
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(ws), receiver).get(10, TimeUnit.SECONDS);
            return new Chromium(p, socket, receiver);
        } catch (Exception e) {
            destroy(p);
            throw e;
        }
    }

    /** Sends a command and waits for its result. */
    public JsonNode call(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        synchronized (sendLock) {
            socket.sendText(msg.toString(), true).join();
        }
        try {
            JsonNode r = result.get(20, TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new IllegalStateException(method + " failed: " + r.get("error"));
            }
            return r.get("result");
        } catch (Exception e) {
            throw new IllegalStateException(method + ": " + e.getMessage(), e);
        } finally {
            pending.remove(id);
        }
    }

    /** Sends a command without waiting (for use inside event listeners). */
    public void callAsync(String method, Map<String, ?> params) {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", ids.incrementAndGet());
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        CompletableFuture.runAsync(() -> {
            synchronized (sendLock) {
                socket.sendText(msg.toString(), true).join();
            }
        });
    }

    public void on(String event, Consumer<JsonNode> listener) {
        listeners.computeIfAbsent(event, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** Evaluates a JavaScript expression in the page and returns its value (promises awaited). */
    public JsonNode eval(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
        }
        return r.get("result").get("value");
    }

    /** A PNG of the whole page, beyond the window when the page is taller. */
    public byte[] screenshot() {
        String data = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true))
                .get("data").asText();
        return java.util.Base64.getDecoder().decode(data);
    }

    private void dispatch(String text) {
        try {
            JsonNode msg = JSON.readTree(text);
            if (msg.has("id")) {
                CompletableFuture<JsonNode> f = pending.get(msg.get("id").asInt());
                if (f != null) {
                    f.complete(msg);
                }
            } else if (msg.has("method")) {
                for (Consumer<JsonNode> l : listeners.getOrDefault(msg.get("method").asText(), List.of())) {
                    l.accept(msg.get("params"));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("bad DevTools message: " + text, e);
        }
    }

    @Override
    public void close() {
        socket.abort();
        destroy(process);
    }

    private static void destroy(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Joins fragmented text frames into DevTools messages. */
    private static final class Receiver implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();
        volatile Chromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                if (owner != null) {
                    owner.dispatch(text);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
