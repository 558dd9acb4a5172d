package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each bad input and the exact lines {@code portier check} would print for it. */
class ConfigProblemsTest {

    /** A valid pool "web" on line 1, so that the line under test is line 2. */
    private static final String POOL = "portier.pools.web.servers = [{ name = a, address = \"127.0.0.1:9001\" }]\n";

    private static List<String> problems(String hocon) {
        InvalidConfigException e = catchThrowableOfType(
                () -> ConfigLoader.parse(hocon, "bad.conf", Map.of(), new HashSet<>()), InvalidConfigException.class);
        assertThat(e).as("expected problems in:\n%s", hocon).isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void rejectsNegativeRate() {
        assertThat(problems(POOL + """
                portier.listeners.web { bind = ":8080", pool = web, limits.connection-rate = -5 }
                """)).containsExactly(
                "bad.conf:2: portier.listeners.web.limits.connection-rate: -5 (expected: > 0 or \"unlimited\")");
    }

    @Test
    void suggestsTheKeyAMisspeltKeyWasMeantToBe() {
        assertThat(problems(POOL + """
                portier.listeners.web {
                  bind = ":8080", pool = web
                  limits { conection-rate = 5 }
                }
                """)).containsExactly(
                "bad.conf:4: portier.listeners.web.limits.conection-rate: unknown key (did you mean connection-rate?)");
    }

    @Test
    void listsKnownKeysWhenNoneIsClose() {
        assertThat(problems("portier.reload.frobnicate = on\n")).containsExactly(
                "bad.conf:1: portier.reload.frobnicate: unknown key (expected: one of settle, watch)");
    }

    @Test
    void flagsUnknownKeysInServersAndTopLevel() {
        assertThat(problems("""
                portier {
                  wokers = 2
                  pools.web.servers = [{ name = a, address = "127.0.0.1:9001", wieght = 2 }]
                }
                """)).containsExactly(
                "bad.conf:2: portier.wokers: unknown key (did you mean workers?)",
                "bad.conf:3: portier.pools.web.servers[0].wieght: unknown key (did you mean weight?)");
    }

    @Test
    void listsAllowedValuesOfABadEnum() {
        assertThat(problems("""
                portier.pools.web {
                  balance = roundrobin
                  servers = [{ name = a, address = "127.0.0.1:9001" }]
                }
                """)).containsExactly("bad.conf:2: portier.pools.web.balance: \"roundrobin\" "
                + "(expected: one of round-robin, least-connections, random-two, source-hash, first)");
    }

    @Test
    void rejectsWrongTypes() {
        assertThat(problems(POOL + """
                portier.listeners.web { bind = ":8080", pool = web, backlog = lots, reuse-port = maybe }
                portier.listeners.web.timeouts = 5s
                """)).containsExactly(
                "bad.conf:2: portier.listeners.web.reuse-port: \"maybe\" (expected: on or off)",
                "bad.conf:2: portier.listeners.web.backlog: \"lots\" (expected: an integer 1-65535)",
                "bad.conf:3: portier.listeners.web.timeouts: \"5s\" (expected: an object)");
    }

    @Test
    void rejectsNumbersOutOfRange() {
        assertThat(problems("""
                portier.workers = 5000
                portier.pools.web {
                  retries = 101
                  servers = [{ name = a, address = "127.0.0.1:9001", weight = 257 }]
                  health { rise = 0 }
                }
                """)).containsExactly(
                "bad.conf:1: portier.workers: 5000 (expected: an integer 1-1024 or \"auto\")",
                "bad.conf:3: portier.pools.web.retries: 101 (expected: an integer 0-100)",
                "bad.conf:4: portier.pools.web.servers[0].weight: 257 (expected: an integer 1-256)",
                "bad.conf:5: portier.pools.web.health.rise: 0 (expected: an integer 1-1000)");
    }

    @Test
    void rejectsDurationsWithoutUnitAndSizesWithBadUnit() {
        assertThat(problems(POOL + """
                portier.listeners.web {
                  bind = ":8080", pool = web
                  timeouts.idle = 30
                  timeouts.connect = 0s
                  limits.bandwidth.port = 10XB
                }
                """)).containsExactly(
                "bad.conf:4: portier.listeners.web.timeouts.idle: 30 (expected: a duration > 0, like 500ms or 2s)",
                "bad.conf:5: portier.listeners.web.timeouts.connect: \"0s\" (expected: a duration > 0, like 500ms or 2s)",
                "bad.conf:6: portier.listeners.web.limits.bandwidth.port: \"10XB\" "
                        + "(expected: a size > 0 like 64KiB or 10MiB, or \"unlimited\")");
    }

    @Test
    void reportsSyntaxErrorWithFileAndLine() {
        assertThat(problems("""
                portier {
                  workers = 2
                  listeners { web { bind = ":8080" }
                """)).containsExactly("bad.conf:4: hocon: expecting a close parentheses ')' here, not: end of file");
    }

    @Test
    void reportsUnresolvedSubstitution() {
        assertThat(problems("portier.workers = ${WORKERS}\n")).containsExactly(
                "bad.conf:1: hocon: Could not resolve substitution to a value: ${WORKERS}");
    }

    @Test
    void requiresBindPoolServersNameAndAddress() {
        assertThat(problems("""
                portier.listeners.web { }
                portier.pools.web { }
                portier.pools.api.servers = [{ weight = 2 }]
                """)).containsExactly(
                "bad.conf:1: portier.listeners.web.bind: missing (expected: an address like \"0.0.0.0:8080\", "
                        + "\"[::]:8080\", \":8080\" or \"127.0.0.1:7000-7009\", or a list of them)",
                "bad.conf:1: portier.listeners.web.pool: missing (expected: the name of a pool)",
                "bad.conf:2: portier.pools.web.servers: missing (expected: a non-empty list of servers "
                        + "like { name = a, address = \"10.0.0.1:9001\" })",
                "bad.conf:3: portier.pools.api.servers[0].name: missing (expected: a name of letters, digits, '_', '.' and '-')",
                "bad.conf:3: portier.pools.api.servers[0].address: missing (expected: an address like "
                        + "\"10.0.0.1:9001\", \"[::1]:9001\" or \"backend\" (port optional))");
    }

    @Test
    void rejectsAnEmptyServerList() {
        assertThat(problems("portier.pools.web.servers = []\n")).containsExactly(
                "bad.conf:1: portier.pools.web.servers: [] (expected: a non-empty list of servers "
                        + "like { name = a, address = \"10.0.0.1:9001\" })");
    }

    @Test
    void rejectsAPoolThatDoesNotExist() {
        assertThat(problems(POOL + """
                portier.listeners.web { bind = ":8080", pool = wbe }
                """)).containsExactly("bad.conf:2: portier.listeners.web.pool: \"wbe\" (expected: one of the pools web)");
    }

    @Test
    void rejectsTwoListenersOnTheSameAddressAndPort() {
        assertThat(problems(POOL + """
                portier.listeners {
                  web { bind = "127.0.0.1:8080", pool = web }
                  api { bind = ["0.0.0.0:8000-8090", "127.0.0.1:0"], pool = web }
                  other { bind = "127.0.0.1:0", pool = web }
                  v6 { bind = "[::]:8080", pool = web }
                }
                """)).containsExactly(
                "bad.conf:4: portier.listeners.api.bind[0]: \"0.0.0.0:8000-8090\" (expected: an address and port "
                        + "no other bind takes; listener web binds 127.0.0.1:8080)",
                "bad.conf:6: portier.listeners.v6.bind: \"[::]:8080\" (expected: an address and port "
                        + "no other bind takes; listener web binds 127.0.0.1:8080)");
    }

    @Test
    void rejectsAListenerOnTheAdminPort() {
        assertThat(problems(POOL + """
                portier.listeners.web { bind = "127.0.0.1:9901", pool = web }
                """)).containsExactly("bad.conf:2: portier.listeners.web.bind: \"127.0.0.1:9901\" (expected: "
                + "an address and port no other bind takes; admin.bind binds 127.0.0.1:9901)");
    }

    @Test
    void rejectsAServerNameUsedTwice() {
        assertThat(problems("""
                portier.pools.web.servers = [
                  { name = a, address = "127.0.0.1:9001" }
                  { name = a, address = "127.0.0.1:9002" }
                ]
                """)).containsExactly(
                "bad.conf:3: portier.pools.web.servers[1].name: \"a\" (expected: a name no other server of pool web has)");
    }

    @Test
    void rejectsMalformedAddressesAndPorts() {
        assertThat(problems("""
                portier.pools.web.servers = [
                  { name = a, address = "127.0.0.1:0" }
                  { name = b, address = "::1:9001" }
                ]
                portier.listeners.web { bind = ["1.2.3.4:9-8", "[::1]:70000", "300.1.1.1:80"], pool = web }
                """)).containsExactly(
                "bad.conf:2: portier.pools.web.servers[0].address: \"127.0.0.1:0\" (expected: port 1-65535)",
                "bad.conf:3: portier.pools.web.servers[1].address: \"::1:9001\" (expected: an address like "
                        + "\"10.0.0.1:9001\", \"[::1]:9001\" or \"backend\" (port optional))",
                "bad.conf:5: portier.listeners.web.bind[0]: \"1.2.3.4:9-8\" (expected: a port range with start <= end)",
                "bad.conf:5: portier.listeners.web.bind[1]: \"[::1]:70000\" (expected: port 0-65535)",
                "bad.conf:5: portier.listeners.web.bind[2]: \"300.1.1.1:80\" (expected: an address like "
                        + "\"0.0.0.0:8080\", \"[::]:8080\", \":8080\" or \"127.0.0.1:7000-7009\")");
    }

    @Test
    void rejectsNamesWithOtherCharacters() {
        assertThat(problems("""
                portier.pools."my pool".servers = [{ name = "a/b", address = "127.0.0.1:9001" }]
                """)).containsExactly(
                "bad.conf:1: portier.pools.\"my pool\": \"my pool\" (expected: a name of letters, digits, '_', '.' and '-')",
                "bad.conf:1: portier.pools.\"my pool\".servers[0].name: \"a/b\" "
                        + "(expected: a name of letters, digits, '_', '.' and '-')");
    }

    @Test
    void requiresATokenForAdminOffLoopback() {
        assertThat(problems("portier.admin.bind = \"0.0.0.0:9901\"\n")).containsExactly(
                "bad.conf:1: portier.admin.bind: \"0.0.0.0:9901\" (expected: a loopback address, or set portier.admin.token)");
    }

    @Test
    void acceptsAdminOffLoopbackWithAToken() throws Exception {
        PortierConfig c = ConfigLoader.parse("portier.admin { bind = \":9901\", token = abc }\n", "ok.conf");

        assertThat(c.admin().bind()).isEqualTo(new HostPort("0.0.0.0", 9901));
    }

    @Test
    void requiresAnExpectForSendExpectChecks() {
        assertThat(problems("""
                portier.pools.web {
                  servers = [{ name = a, address = "127.0.0.1:9001" }]
                  health { type = send-expect, send = "PING\\r\\n" }
                }
                """)).containsExactly("bad.conf:3: portier.pools.web.health.expect: \"\" "
                + "(expected: a substring or /regex/ the reply must match, when type = send-expect)");
    }

    @Test
    void rejectsAnInvalidRegexAndBadEscapes() {
        assertThat(problems("""
                portier.pools.web {
                  servers = [{ name = a, address = "127.0.0.1:9001" }]
                  health.type = send-expect
                  health.expect = "/[a/"
                  health.send = \"\"\"\\q\"\"\"
                  health.http.expect-status = "399-200"
                }
                """)).containsExactly(
                "bad.conf:4: portier.pools.web.health.expect: \"/[a/\" (expected: a valid /regex/: Unclosed character class)",
                "bad.conf:5: portier.pools.web.health.send: \"\\\\q\" (expected: a string whose only escapes are "
                        + "\\r \\n \\t \\\\ \\xHH)",
                "bad.conf:6: portier.pools.web.health.http.expect-status: \"399-200\" "
                        + "(expected: \"LOW-HIGH\" or \"CODE\", codes 100-599)");
    }

    @Test
    void rejectsBadCidrs() {
        assertThat(problems(POOL + """
                portier.listeners.web {
                  bind = ":8080", pool = web
                  access.allow = ["10.0.0.1/8", "2001:db8::/129", "ten"]
                }
                """)).containsExactly(
                "bad.conf:4: portier.listeners.web.access.allow[0]: \"10.0.0.1/8\" "
                        + "(expected: a network address with no host bits set for /8)",
                "bad.conf:4: portier.listeners.web.access.allow[1]: \"2001:db8::/129\" (expected: a prefix length 0-128)",
                "bad.conf:4: portier.listeners.web.access.allow[2]: \"ten\" "
                        + "(expected: a CIDR like \"10.0.0.0/8\" or \"2001:db8::/32\", or an address)");
    }

    @Test
    void rejectsARootThatIsNotAnObject() {
        assertThat(problems("portier = 5\n")).containsExactly("bad.conf:1: portier: 5 (expected: an object)");
    }

    @Test
    void reportsEveryProblemOfAFileInFileOrder() {
        assertThat(problems("""
                portier {
                  workers = none
                  transport = kqueue
                  listeners {
                    web {
                      bind = ":8080"
                      pool = missing
                      limits { max-connections = 0, on-limit = drop }
                    }
                  }
                  pools {
                    web {
                      servers = [{ name = a, address = "127.0.0.1" }]
                      slow-start = -1s
                    }
                  }
                  access-log.format = xml
                  reload.settle = soon
                }
                """)).containsExactly(
                "bad.conf:2: portier.workers: \"none\" (expected: an integer 1-1024 or \"auto\")",
                "bad.conf:3: portier.transport: \"kqueue\" (expected: one of auto, epoll, nio)",
                "bad.conf:7: portier.listeners.web.pool: \"missing\" (expected: one of the pools web)",
                "bad.conf:8: portier.listeners.web.limits.max-connections: 0 (expected: > 0 or \"unlimited\")",
                "bad.conf:8: portier.listeners.web.limits.on-limit: \"drop\" (expected: one of close, reset, pause)",
                "bad.conf:14: portier.pools.web.slow-start: \"-1s\" (expected: a duration >= 0, like 500ms or 2s)",
                "bad.conf:17: portier.access-log.format: \"xml\" (expected: one of logfmt, json)",
                "bad.conf:18: portier.reload.settle: \"soon\" (expected: a duration >= 0, like 500ms or 2s)");
    }

    @Test
    void pointsAtTheTemplateLineForABadValueEveryListenerInherits() {
        assertThat(problems(POOL + """
                portier.listener-defaults.backlog = 0
                portier.listeners.web { bind = ":8080", pool = web }
                """)).containsExactly("bad.conf:2: portier.listeners.web.backlog: 0 (expected: an integer 1-65535)");
    }

    @Test
    void reportsAReplacedTemplateOnceInsteadOfEveryKeyOfEveryEntry() {
        assertThat(problems(POOL + """
                portier.listener-defaults = off
                portier.listeners.web { bind = ":8080", pool = web }
                """)).containsExactly("bad.conf:2: portier.listener-defaults: \"off\" (expected: an object)");
    }

    @Test
    void printsProblemsWithoutALineAsFileAndPath() {
        assertThat(new ConfigProblem("x.conf", -1, "portier", "something").toString())
                .isEqualTo("x.conf: portier: something");
    }
}
