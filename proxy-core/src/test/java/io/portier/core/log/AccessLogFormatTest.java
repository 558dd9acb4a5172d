package io.portier.core.log;

import io.portier.config.AccessLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogFormatTest {
    private static final AccessRecord RECORD = new AccessRecord(
            Instant.parse("2026-11-22T10:15:03.120Z").toEpochMilli(), "web", 8080, "203.0.113.7:51123",
            "web", "a", 1, 5321, 812, 53102, EndReason.CLIENT_CLOSED);

    @Test
    void logfmtLineHasTheContractFieldsInOrder() {
        assertThat(AccessLog.toLogfmt(RECORD)).isEqualTo(
                "ts=2026-11-22T10:15:03.120Z listener=web port=8080 client=203.0.113.7:51123 pool=web server=a"
                        + " connect_ms=1 duration_ms=5321 bytes_in=812 bytes_out=53102 end=client-closed");
    }

    @Test
    void connectionWithoutServerShowsDashes() {
        AccessRecord none = new AccessRecord(0, "web", 8080, "[::1]:4000", "web", null, -1, 0, 0, 0,
                EndReason.NO_SERVER);
        assertThat(AccessLog.toLogfmt(none)).contains("client=[::1]:4000 pool=web server=- connect_ms=- ")
                .endsWith("end=no-server");
        assertThat(AccessLog.toJson(none)).contains("\"server\":null,\"connect_ms\":null");
    }

    @Test
    void jsonLineCarriesTheSameFields() {
        assertThat(AccessLog.toJson(RECORD)).isEqualTo(
                "{\"ts\":\"2026-11-22T10:15:03.120Z\",\"listener\":\"web\",\"port\":8080,"
                        + "\"client\":\"203.0.113.7:51123\",\"pool\":\"web\",\"server\":\"a\",\"connect_ms\":1,"
                        + "\"duration_ms\":5321,\"bytes_in\":812,\"bytes_out\":53102,\"end\":\"client-closed\"}");
    }

    @Test
    void fileDestinationGetsOneLinePerConnection(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLog log = new AccessLog(new AccessLogConfig(true, AccessLogConfig.Format.LOGFMT, file.toString()))) {
            log.log(RECORD);
            log.log(RECORD);
        }
        assertThat(Files.readAllLines(file)).hasSize(2).allMatch(l -> l.endsWith("end=client-closed"));
    }

    @Test
    void everyEndReasonRoundTripsThroughItsText() {
        for (EndReason r : EndReason.values()) {
            assertThat(EndReason.fromText(r.text())).isSameAs(r);
        }
    }
}
