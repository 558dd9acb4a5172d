package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.portier.admin.support.AdminFixture;
import io.portier.admin.support.AdminFixture.Reply;
import io.portier.admin.support.Backend;
import io.portier.admin.support.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/v1/reload} over a real config file, through the core's reloader. */
class ReloadEndpointTest {
    @TempDir
    Path dir;

    private Backend a;
    private Path file;
    private AdminFixture fx;

    private String config(boolean withApi) {
        return """
                portier {
                  workers = 1
                  admin.bind = "127.0.0.1:0"
                  access-log.enabled = off
                  reload.watch = off
                  listeners {
                    web { bind = "127.0.0.1:0", pool = web }
                    %s
                  }
                  pools.web { health.type = none, servers = [{ name = a, address = "%s" }] }
                }
                """.formatted(withApi ? "api { bind = \"127.0.0.1:0\", pool = web }" : "", a.address());
    }

    @BeforeEach
    void start() throws Exception {
        a = new Backend("a");
        file = dir.resolve("portier.conf");
        Files.writeString(file, config(false));
        fx = AdminFixture.startFile(file);
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
        a.close();
    }

    @Test
    void dryRunListsTheChangesAndAppliesNothing() throws Exception {
        Files.writeString(file, config(true));
        Reply r = fx.post("/api/v1/reload?dry-run=true", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("dry_run").asBoolean()).isTrue();
        assertThat(r.json().get("generation").asLong()).isEqualTo(1);
        assertThat(r.json().get("changes").toString()).contains("api");
        assertThat(fx.portier().listeners()).doesNotContainKey("api");
    }

    @Test
    void reloadAppliesTheFileAndRaisesTheGeneration() throws Exception {
        Files.writeString(file, config(true));
        Reply r = fx.post("/api/v1/reload", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("generation").asLong()).isEqualTo(2);
        assertThat(r.json().get("dry_run").asBoolean()).isFalse();
        assertThat(r.json().get("changes").toString()).contains("api");
        JsonNode status = fx.get("/api/v1/status").json();
        assertThat(status.get("config_generation").asLong()).isEqualTo(2);
        assertThat(status.get("config_file").asText()).isEqualTo(file.toString());
        try (Client c = Client.connect(fx.port("api"))) {
            assertThat(c.backend()).isEqualTo("a");
        }
        assertThat(fx.get("/api/v1/listeners").json()).hasSize(2);
    }

    @Test
    void anInvalidFileIs400WithEveryProblemAndTheOldConfigRuns() throws Exception {
        Files.writeString(file, """
                portier {
                  listeners.web { bind = "127.0.0.1:0", pool = nowhere, backlog = -5 }
                }
                """);
        Reply r = fx.post("/api/v1/reload", null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid config");
        assertThat(r.json().get("problems")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(r.json().get("problems").get(0).asText()).startsWith(file.toString());
        assertThat(fx.get("/api/v1/status").json().get("config_generation").asLong()).isEqualTo(1);
        try (Client c = Client.connect(fx.port("web"))) {
            assertThat(c.backend()).isEqualTo("a");
        }
    }
}
