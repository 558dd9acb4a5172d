package io.portier.server;

import io.portier.config.HostPort;
import io.portier.server.CommandLine.Command;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static CommandLine parse(Map<String, String> env, String... args) throws UsageException {
        return CommandLine.parse(args, env);
    }

    @Test
    void runsTheDemoWithoutArguments() throws Exception {
        assertThat(parse(NO_ENV).command()).isEqualTo(Command.DEMO);
        assertThat(parse(NO_ENV, "demo").command()).isEqualTo(Command.DEMO);
    }

    @Test
    void readsTheConfigFileOfRunAndCheck() throws Exception {
        assertThat(parse(NO_ENV, "run", "-c", "a.conf").config()).contains(Path.of("a.conf"));
        assertThat(parse(NO_ENV, "check", "--config", "b.conf").config()).contains(Path.of("b.conf"));
        assertThat(parse(NO_ENV, "check", "--config=c.conf").config()).contains(Path.of("c.conf"));
    }

    @Test
    void takesTheConfigFileFromPortierConfigWhenNoOptionGivesOne() throws Exception {
        Map<String, String> env = Map.of("PORTIER_CONFIG", "/etc/portier/portier.conf");

        assertThat(parse(env, "run").config()).contains(Path.of("/etc/portier/portier.conf"));
        assertThat(parse(env, "reload").config()).contains(Path.of("/etc/portier/portier.conf"));
        assertThat(parse(env, "check", "-c", "mine.conf").config()).contains(Path.of("mine.conf"));
    }

    @Test
    void rejectsRunAndCheckWithoutAConfigFile() {
        assertThatThrownBy(() -> parse(NO_ENV, "run"))
                .isInstanceOf(UsageException.class)
                .hasMessage("run: missing -c FILE (or set PORTIER_CONFIG)");
        assertThatThrownBy(() -> parse(Map.of("PORTIER_CONFIG", " "), "check"))
                .hasMessage("check: missing -c FILE (or set PORTIER_CONFIG)");
        assertThatThrownBy(() -> parse(NO_ENV, "check", "-c"))
                .hasMessage("-c needs a FILE");
    }

    @Test
    void rejectsUnknownCommandsOptionsAndArguments() {
        assertThatThrownBy(() -> parse(NO_ENV, "start"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown command: start");
        assertThatThrownBy(() -> parse(NO_ENV, "run", "-c", "a.conf", "--verbose"))
                .hasMessage("run: unknown option: --verbose");
        assertThatThrownBy(() -> parse(NO_ENV, "check", "-c", "a.conf", "b.conf"))
                .hasMessage("check: unexpected argument: b.conf");
        assertThatThrownBy(() -> parse(NO_ENV, "version", "-c", "a.conf"))
                .hasMessage("version takes no config file");
    }

    @Test
    void readsCheckDiffWithAnAdminAddress() throws Exception {
        CommandLine line = parse(NO_ENV, "check", "-c", "a.conf", "--diff", "--admin", "127.0.0.1:9911");
        assertThat(line.diff()).isTrue();
        assertThat(line.admin()).contains(new HostPort("127.0.0.1", 9911));
        assertThatThrownBy(() -> parse(NO_ENV, "check", "-c", "a.conf", "--admin", "127.0.0.1:9911"))
                .hasMessage("check: --admin is an option of reload and check --diff only");
    }

    @Test
    void readsTheAdminAddressOfReload() throws Exception {
        assertThat(parse(NO_ENV, "reload", "--admin", "127.0.0.1:9901").admin())
                .contains(new HostPort("127.0.0.1", 9901));
        assertThat(parse(NO_ENV, "reload", "--admin=[::1]:9901").admin())
                .contains(new HostPort("::1", 9901));
        assertThat(parse(NO_ENV, "reload").config()).isEmpty();
        assertThatThrownBy(() -> parse(NO_ENV, "reload", "--admin", "localhost"))
                .hasMessage("--admin: localhost (expected: HOST:PORT, port 1-65535)");
        assertThatThrownBy(() -> parse(NO_ENV, "run", "-c", "a.conf", "--admin", "127.0.0.1:1"))
                .hasMessage("run: --admin is an option of reload and check --diff only");
    }

    @Test
    void answersHelpAnywhere() throws Exception {
        assertThat(parse(NO_ENV, "--help").command()).isEqualTo(Command.HELP);
        assertThat(parse(NO_ENV, "-h").command()).isEqualTo(Command.HELP);
        assertThat(parse(NO_ENV, "help").command()).isEqualTo(Command.HELP);
        assertThat(parse(NO_ENV, "run", "--help").command()).isEqualTo(Command.HELP);
    }
}
