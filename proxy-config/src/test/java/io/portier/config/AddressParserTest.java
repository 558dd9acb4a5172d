package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressParserTest {

    @Test
    void parsesEveryBindForm() {
        assertThat(AddressParser.bind("0.0.0.0:8080")).isEqualTo(new BindAddress("0.0.0.0", 8080, 8080));
        assertThat(AddressParser.bind("127.0.0.1:7000-7009")).isEqualTo(new BindAddress("127.0.0.1", 7000, 7009));
        assertThat(AddressParser.bind("[::1]:8080")).isEqualTo(new BindAddress("::1", 8080, 8080));
        assertThat(AddressParser.bind("[::]:8080")).isEqualTo(new BindAddress("::", 8080, 8080));
        assertThat(AddressParser.bind(":8080")).isEqualTo(new BindAddress("0.0.0.0", 8080, 8080));
        assertThat(AddressParser.bind("localhost:0")).isEqualTo(new BindAddress("localhost", 0, 0));
        assertThat(AddressParser.bind("[::ffff:127.0.0.1]:80").host()).isEqualTo("::ffff:127.0.0.1");
    }

    @Test
    void rejectsBindsWithoutPortOrWithBadRange() {
        for (String bad : new String[] {"0.0.0.0", "::1:8080", "[::1", "[zz::]:80", "host:", "a b:80", "1.2.3:80"}) {
            assertThatThrownBy(() -> AddressParser.bind(bad)).as(bad).isInstanceOf(Rejected.class)
                    .hasMessage(AddressParser.BIND_EXPECTED);
        }
        assertThatThrownBy(() -> AddressParser.bind(":65536")).hasMessage("port 0-65535");
        assertThatThrownBy(() -> AddressParser.bind(":90-80")).hasMessage("a port range with start <= end");
        assertThatThrownBy(() -> AddressParser.bind(":0-80")).hasMessage("a port range within 1-65535 (port 0 stands alone)");
    }

    @Test
    void parsesServersWithAndWithoutPort() {
        assertThat(AddressParser.server("10.0.0.1:9001")).isEqualTo(new HostPort("10.0.0.1", 9001));
        assertThat(AddressParser.server("[2001:db8::1]:9001")).isEqualTo(new HostPort("2001:db8::1", 9001));
        assertThat(AddressParser.server("backend.local")).isEqualTo(new HostPort("backend.local", ServerConfig.SAME_PORT));
        assertThat(AddressParser.server("[::1]")).isEqualTo(new HostPort("::1", ServerConfig.SAME_PORT));
        assertThatThrownBy(() -> AddressParser.server(":9001")).hasMessage(AddressParser.SERVER_EXPECTED);
        assertThatThrownBy(() -> AddressParser.server("a:1-2")).hasMessage(AddressParser.SERVER_EXPECTED);
        assertThatThrownBy(() -> AddressParser.server("a:0")).hasMessage("port 1-65535");
    }

    @Test
    void knowsLoopbackHosts() {
        assertThat(AddressParser.isLoopback("127.0.0.1")).isTrue();
        assertThat(AddressParser.isLoopback("127.9.9.9")).isTrue();
        assertThat(AddressParser.isLoopback("::1")).isTrue();
        assertThat(AddressParser.isLoopback("localhost")).isTrue();
        assertThat(AddressParser.isLoopback("0.0.0.0")).isFalse();
        assertThat(AddressParser.isLoopback("::")).isFalse();
        assertThat(AddressParser.isLoopback("example.org")).isFalse();
    }

    @Test
    void decodesHealthSendEscapes() {
        assertThat(Escapes.decode("GET / HTTP/1.0\\r\\n\\tx\\\\\\x00\\xfF")).isEqualTo("GET / HTTP/1.0\r\n\tx\\\0\u00ff");
        for (String bad : new String[] {"\\q", "\\", "\\x1", "\\xzz"}) {
            assertThatThrownBy(() -> Escapes.decode(bad)).as(bad).hasMessage(Escapes.EXPECTED);
        }
    }

    @Test
    void suggestsKeysWithinTwoEdits() {
        assertThat(KeyChecker.distance("conection-rate", "connection-rate")).isEqualTo(1);
        assertThat(KeyChecker.distance("rate", "connection-rate")).isEqualTo(11);
    }

    @Test
    void treatsWildcardBindsAsOverlappingTheirFamily() {
        assertThat(Overlaps.overlap(new BindAddress("0.0.0.0", 80, 80), new BindAddress("10.0.0.1", 80, 80))).isTrue();
        assertThat(Overlaps.overlap(new BindAddress("0.0.0.0", 80, 80), new BindAddress("::1", 80, 80))).isFalse();
        assertThat(Overlaps.overlap(new BindAddress("::", 80, 80), new BindAddress("10.0.0.1", 70, 90))).isTrue();
        assertThat(Overlaps.overlap(new BindAddress("10.0.0.1", 80, 80), new BindAddress("10.0.0.2", 80, 80))).isFalse();
        assertThat(Overlaps.overlap(new BindAddress("0.0.0.0", 0, 0), new BindAddress("0.0.0.0", 0, 0))).isFalse();
    }
}
