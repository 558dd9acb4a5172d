package io.portier.core.health;

import io.netty.channel.ConnectTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CheckDetailsTest {

    @Test
    void keepsTheOsPartOfSocketErrors() {
        assertThat(CheckProbe.osMessage(new ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused"))).isEqualTo("connection refused");
        assertThat(CheckProbe.osMessage(new ConnectException("Connection refused: /127.0.0.1:9001")))
                .isEqualTo("connection refused");
        assertThat(CheckProbe.osMessage(new IOException("recvAddress(..) failed: Connection reset by peer")))
                .isEqualTo("connection reset by peer");
        assertThat(CheckProbe.osMessage(new IOException("No route to host"))).isEqualTo("no route to host");
        assertThat(CheckProbe.osMessage(new IOException())).isEqualTo("IOException");
    }

    @Test
    void classifiesConnectFailures() {
        long second = Duration.ofSeconds(1).toNanos();
        assertThat(CheckProbe.connectFailure(new ConnectTimeoutException("connection timed out"), second))
                .extracting(CheckResult::code, CheckResult::detail)
                .containsExactly(CheckCode.L4TOUT, "no connection within 1s");
        assertThat(CheckProbe.connectFailure(new ConnectException("Connection refused"), second).code())
                .isEqualTo(CheckCode.L4CON);
        assertThat(CheckProbe.connectFailure(new UnknownHostException("db.invalid"), second).detail())
                .isEqualTo("unknown host db.invalid");
    }

    @Test
    void quotesAShortPrintableExcerptOfAReply() {
        assertThat(Excerpt.of("-ERR nope\r\n")).isEqualTo("\"-ERR nope\\r\\n\"");
        assertThat(Excerpt.of("a\u0000\u00ff\"")).isEqualTo("\"a\\x00\\xff\\\"\"");
        assertThat(Excerpt.of("x".repeat(100))).isEqualTo("\"" + "x".repeat(64) + "\"...");
    }

    @Test
    void formatsDurationsAsTheConfigWritesThem() {
        assertThat(Durations.format(Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
