package io.portier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void matchesIpv4Networks() throws Exception {
        Cidr net = Cidr.parse("10.1.0.0/16");

        assertThat(net.matches(ip("10.1.0.0"))).isTrue();
        assertThat(net.matches(ip("10.1.255.255"))).isTrue();
        assertThat(net.matches(ip("10.2.0.1"))).isFalse();
        assertThat(net.matches(ip("9.1.0.1"))).isFalse();
    }

    @Test
    void matchesEveryIpv4AddressWithSlashZero() throws Exception {
        Cidr all = Cidr.parse("0.0.0.0/0");

        assertThat(all.matches(ip("0.0.0.0"))).isTrue();
        assertThat(all.matches(ip("255.255.255.255"))).isTrue();
        assertThat(all.matches(ip("192.168.1.1"))).isTrue();
    }

    @Test
    void matchesOneAddressWithSlash32OrABareAddress() throws Exception {
        for (String text : new String[] {"192.168.1.7/32", "192.168.1.7"}) {
            Cidr one = Cidr.parse(text);
            assertThat(one.matches(ip("192.168.1.7"))).isTrue();
            assertThat(one.matches(ip("192.168.1.6"))).isFalse();
            assertThat(one.matches(ip("192.168.1.8"))).isFalse();
            assertThat(one.prefixLength()).isEqualTo(32);
        }
    }

    @Test
    void matchesIpv6NetworksOfAnyPrefix() throws Exception {
        Cidr all = Cidr.parse("::/0");
        Cidr doc = Cidr.parse("2001:db8::/32");
        Cidr subnet = Cidr.parse("2001:db8:1:2::/64");
        Cidr one = Cidr.parse("2001:db8::1/128");

        assertThat(all.matches(ip("::1"))).isTrue();
        assertThat(all.matches(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(doc.matches(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(doc.matches(ip("2001:db9::1"))).isFalse();
        assertThat(subnet.matches(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(subnet.matches(ip("2001:db8:1:3::"))).isFalse();
        assertThat(one.matches(ip("2001:db8::1"))).isTrue();
        assertThat(one.matches(ip("2001:db8::2"))).isFalse();
        assertThat(Cidr.parse("2001:db8::1").prefixLength()).isEqualTo(128);
    }

    @Test
    void neverMatchesAcrossFamilies() throws Exception {
        assertThat(Cidr.parse("::/0").matches(ip("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").matches(ip("::1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").matches(ip("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("::/0").matches(new byte[] {10, 0, 0, 1})).isFalse();
    }

    @Test
    void treatsIpv4MappedIpv6AsIpv4() throws Exception {
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        byte[] mappedAddress = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 9, 8, 7};

        assertThat(mapped).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(mapped.isIpv4()).isTrue();
        assertThat(mapped.matches(ip("10.9.8.7"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").matches(mappedAddress)).isTrue();
        assertThat(Cidr.parse("::/0").matches(mappedAddress)).isFalse();
    }

    @Test
    void matchesRawAddressBytes() {
        Cidr net = Cidr.parse("172.16.0.0/12");

        assertThat(net.matches(new byte[] {(byte) 172, 31, (byte) 255, 1})).isTrue();
        assertThat(net.matches(new byte[] {(byte) 172, 32, 0, 1})).isFalse();
        assertThat(net.matches(new byte[3])).isFalse();
    }

    @Test
    void rejectsMalformedNetworksInTheHouseForm() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"10.0.0.0/33\" (expected: a prefix length 0-32)");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8"))
                .hasMessage("\"10.0.0.1/8\" (expected: a network address with no host bits set for /8)");
        for (String bad : new String[] {"", "10.0.0", "10.0.0.256", "10.0.0.0/", "10.0.0.0/-1", "1:2:3", "::1::2",
                "2001:db8::/x", "example.org", "fe80::1%eth0", "1.2.3.4.5"}) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad)
                    .hasMessageEndingWith("(expected: a CIDR like \"10.0.0.0/8\" or \"2001:db8::/32\", or an address)");
        }
    }

    @Test
    void printsCanonicalForm() {
        assertThat(Cidr.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
        assertThat(Cidr.parse("10.1.2.3")).hasToString("10.1.2.3/32");
        assertThat(Cidr.parse("2001:db8::/32")).hasToString("2001:db8::/32");
        assertThat(Cidr.parse("::/0")).hasToString("::/0");
        assertThat(Cidr.parse("::1")).hasToString("::1/128");
        assertThat(Cidr.parse("2001:db8:0:1:0:0:0:0/64")).hasToString("2001:db8:0:1::/64");
        assertThat(Cidr.parse("1:0:0:2:0:0:0:3")).hasToString("1:0:0:2::3/128");
        assertThat(Cidr.parse("1:2:3:4:5:6:7:8")).hasToString("1:2:3:4:5:6:7:8/128");
    }
}
