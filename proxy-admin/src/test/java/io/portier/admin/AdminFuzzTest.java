package io.portier.admin;

import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Client;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed HTTP, huge headers, garbage JSON and random bytes thrown at the admin port (a bounded
 * number of times, from a printed seed): afterwards the admin port still answers and the proxy
 * still relays.
 */
class AdminFuzzTest {
    private static final int ROUNDS = 400;
    private static final long BUDGET_MILLIS = 20_000;
    private static final String JSON_CHARS = "{}[]\":,.-+eE0123456789 \\truefalsnlstateweightdrainmx\u00e9\u0000";

    @Test
    void adminPortAndRelaySurviveGarbage() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Backend a = new Backend("a");
             Backend b = new Backend("b");
             AdminFixture fx = AdminFixture.start("""
                     portier {
                       workers = 1
                       admin.bind = "127.0.0.1:0"
                       access-log.enabled = off
                       listeners.web { bind = "127.0.0.1:0", pool = web }
                       pools.web {
                         health.type = none
                         servers = [{ name = a, address = "%s" }, { name = b, address = "%s" }]
                       }
                     }
                     """.formatted(a.address(), b.address()))) {
            int port = fx.adminPort();
            List<Function<Random, byte[]>> cases = cases();
            List<Socket> slow = openSlowClients(port, 30);
            long deadline = System.currentTimeMillis() + BUDGET_MILLIS;
            int rounds = 0;
            List<String> serverErrors = new ArrayList<>();
            for (; rounds < ROUNDS && System.currentTimeMillis() < deadline; rounds++) {
                byte[] payload = cases.get(random.nextInt(cases.size())).apply(random);
                String reply = throwAt(port, payload);
                if (reply.startsWith("HTTP/1.1 5")) {
                    serverErrors.add(reply.lines().findFirst().orElse("") + " for "
                            + new String(payload, 0, Math.min(80, payload.length), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(rounds).as("seed %d", seed).isGreaterThan(50);
            assertThat(serverErrors).as("seed %d: garbage is the client's error, never a 5xx", seed).isEmpty();

            assertThat(fx.get("/healthz").status()).as("seed %d", seed).isEqualTo(200);
            assertThat(fx.get("/api/v1/pools").status()).as("seed %d", seed).isEqualTo(200);
            try (Client c = Client.connect(fx.port("web"))) {
                c.backend();
                assertThat(c.roundTrip("still relaying")).as("seed %d", seed).isEqualTo("still relaying");
            }
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    private static List<Function<Random, byte[]>> cases() {
        List<Function<Random, byte[]>> c = new ArrayList<>();
        c.add(r -> bytes(r, r.nextInt(4096)));
        c.add(r -> ascii("GET\r\n\r\n"));
        c.add(r -> ascii("FOO / HTTP/9.9\r\n\r\n"));
        c.add(r -> ascii("GET /" + "a".repeat(8000 + r.nextInt(8000)) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        c.add(r -> ascii("GET /api/v1/pools HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000 + r.nextInt(50_000))
                + "\r\n\r\n"));
        c.add(r -> ascii("GET /api/v1/pools HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(5000) + "\r\n"));
        c.add(r -> ascii("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"));
        c.add(r -> ascii("POST /api/v1/pools/web/servers/a/state HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"sta"));
        c.add(r -> ascii("POST /api/v1/pools/web/servers/a/state HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nabc\r\n0\r\n\r\n"));
        c.add(r -> ascii("POST /api/v1/pools/web/servers/a/state HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        c.add(r -> withBody("POST", "/api/v1/pools/web/servers/a/state", garbageJson(r)));
        c.add(r -> withBody("PUT", "/api/v1/pools/web/servers/b/weight", garbageJson(r)));
        c.add(r -> withBody("POST", "/api/v1/pools/%00/servers/..%2F..%2F/state", garbageJson(r)));
        c.add(r -> withBody("GET", "/api/v1/connections?limit=" + r.nextInt() + "&offset=%zz&listener=%", ""));
        c.add(r -> withBody("PUT", "/api/v1/pools/web/servers/a/weight", "{\"weight\": 1" + "0".repeat(400) + "}"));
        c.add(r -> withBody("POST", "/api/v1/pools/web/servers/a/state", "[".repeat(20_000)));
        c.add(r -> ascii("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n".repeat(50)));
        return c;
    }

    private static byte[] withBody(String method, String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return concat(ascii(method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n"), b);
    }

    private static String garbageJson(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(200);
        for (int i = 0; i < n; i++) {
            sb.append(JSON_CHARS.charAt(r.nextInt(JSON_CHARS.length())));
        }
        return sb.toString();
    }

    /** Writes the payload, half-closes, and returns whatever comes back within a moment. */
    private static String throwAt(int port, byte[] payload) {
        StringBuilder reply = new StringBuilder();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(300);
            OutputStream out = s.getOutputStream();
            out.write(payload);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (reply.length() < 4096) {
                    reply.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
        } catch (SocketTimeoutException e) {
            // the server is waiting for more: fine, it must not matter
        } catch (IOException e) {
            // reset by the server after an error: fine
        }
        return reply.toString();
    }

    /** Connections that send half a request and stay: they must not block the admin loop. */
    private static List<Socket> openSlowClients(int port, int n) throws IOException {
        List<Socket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket("127.0.0.1", port);
            s.getOutputStream().write(ascii("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: "));
            s.getOutputStream().flush();
            out.add(s);
        }
        return out;
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
