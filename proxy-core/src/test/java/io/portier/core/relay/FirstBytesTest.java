package io.portier.core.relay;

import io.portier.core.support.AccessLogCapture;
import io.portier.core.support.EchoServer;
import io.portier.core.support.ProxyHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client's first bytes are read as soon as its connection is paired with a server's, without
 * waiting for epoll to report them (the speculative read after accept, as HAProxy's): here they and
 * often the client's FIN or reset are in before the proxy has even accepted. Each connection must
 * get its whole reply; one that resets before it is served must not touch the others.
 */
class FirstBytesTest {
    private static final int CLIENTS = 60;

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"splice = off", "splice = on"})
    void requestsAndEndsSentWithTheConnectGetTheirRepliesAndResetsHarmNoOne(String listenerKeys) throws Exception {
        // The server reads the request to its end, then says what it got and closes.
        EchoServer.Behaviour answerAfterEof = s -> {
            byte[] request = s.getInputStream().readAllBytes();
            s.getOutputStream().write(("got " + new String(request, StandardCharsets.US_ASCII) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        };
        try (AccessLogCapture log = new AccessLogCapture();
             EchoServer backend = new EchoServer(answerAfterEof);
             ProxyHarness proxy = ProxyHarness.inFrontOf(backend, listenerKeys)) {
            List<Socket> served = new ArrayList<>();
            List<Integer> servedIds = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    Socket c = new Socket("127.0.0.1", proxy.port("l"));
                    c.setSoTimeout(10_000);
                    c.getOutputStream().write(("request " + i).getBytes(StandardCharsets.US_ASCII));
                    if (i % 3 == 2) {
                        c.setSoLinger(true, 0);
                        c.close(); // bytes, then a reset, maybe before the proxy accepts
                    } else {
                        c.shutdownOutput(); // bytes and the FIN together
                        served.add(c);
                        servedIds.add(i);
                    }
                }
                for (int k = 0; k < served.size(); k++) {
                    InputStream in = served.get(k).getInputStream();
                    assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                            .isEqualTo("got request " + servedIds.get(k) + "\n");
                }
            } finally {
                for (Socket c : served) {
                    c.close();
                }
            }
            // Every served connection is logged once, with its request's bytes in and its reply's out.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (int id : servedIds) {
                    int in = ("request " + id).length();
                    assertThat(log.lines()).filteredOn(l -> l.contains(" bytes_in=" + in + " bytes_out=" + (in + 5) + " "))
                            .isNotEmpty();
                }
                assertThat(log.lines()).filteredOn(l -> l.endsWith("end=client-closed"))
                        .hasSizeGreaterThanOrEqualTo(servedIds.size());
            });
            assertThat(proxy.portier().pools().get("p").server("s").active()).isZero();
        }
    }
}
