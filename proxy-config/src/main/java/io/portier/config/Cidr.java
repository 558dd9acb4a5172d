package io.portier.config;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address
 * is a /32 or /128. Immutable and thread-safe.
 *
 * <p>Families never mix: an IPv4 address does not match an IPv6 network (not even {@code ::/0}) and an
 * IPv6 address does not match an IPv4 network (not even {@code 0.0.0.0/0}). IPv4-mapped IPv6 is treated
 * as the IPv4 it carries, on both sides: {@code ::ffff:10.0.0.0/104} is parsed as {@code 10.0.0.0/8}, and
 * the JDK already turns the address {@code ::ffff:10.1.2.3} into an {@link Inet4Address}.
 *
 * <p>A network with host bits set ({@code 10.0.0.1/8}) is rejected rather than silently masked.
 */
public final class Cidr {
    static final String EXPECTED = "a CIDR like \"10.0.0.0/8\" or \"2001:db8::/32\", or an address";
    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final boolean v4;
    private final int prefix;
    private final long high;      // IPv6 bits 0-63; unused for IPv4
    private final long low;       // IPv6 bits 64-127; IPv4 in the low 32 bits
    private final long highMask;
    private final long lowMask;

    private Cidr(boolean v4, int prefix, long high, long low) {
        this.v4 = v4;
        this.prefix = prefix;
        if (v4) {
            this.highMask = 0;
            this.lowMask = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        } else {
            this.highMask = mask(prefix);
            this.lowMask = mask(prefix - 64);
        }
        this.high = high;
        this.low = low;
    }

    /**
     * @throws IllegalArgumentException with a message {@code "<text>" (expected: ...)} when not a CIDR
     */
    public static Cidr parse(String text) {
        try {
            return read(text);
        } catch (Rejected r) {
            throw new IllegalArgumentException(Show.quoted(text) + " (expected: " + r.expected + ")");
        }
    }

    /** Like {@link #parse} but throws {@link Rejected}, for the loader. */
    static Cidr read(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = IpLiteral.parse(address);
        if (bytes == null) {
            throw new Rejected(EXPECTED);
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new Rejected(EXPECTED);
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new Rejected("a prefix length 0-" + max);
            }
        }
        if (bytes.length == 16 && isMapped(bytes) && prefix >= 96) {
            bytes = new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
            prefix -= 96;
        }
        Cidr cidr = bytes.length == 4
                ? new Cidr(true, prefix, 0, toLong(bytes, 0, 4))
                : new Cidr(false, prefix, toLong(bytes, 0, 8), toLong(bytes, 8, 8));
        if ((cidr.high & ~cidr.highMask) != 0 || (cidr.low & ~cidr.lowMask) != 0) {
            throw new Rejected("a network address with no host bits set for /" + cidr.prefix);
        }
        return cidr;
    }

    /**
     * Whether the address is in this network. Allocation-free for IPv4 (it reads the address through
     * {@link Inet4Address#hashCode()}, which is the address itself); for IPv6 the JDK only hands out a copy
     * of the 16 bytes, so callers on a hot path should keep the bytes and use {@link #matches(byte[])}.
     */
    public boolean matches(InetAddress address) {
        if (address instanceof Inet4Address) {
            return v4 && matchesV4(address.hashCode() & 0xFFFF_FFFFL);
        }
        return matches(address.getAddress());
    }

    /** Whether 4 or 16 address bytes (network order) are in this network. Never allocates. */
    public boolean matches(byte[] address) {
        if (address.length == 4) {
            return v4 && matchesV4(toLong(address, 0, 4));
        }
        if (address.length != 16) {
            return false;
        }
        if (isMapped(address)) {
            return v4 && matchesV4(toLong(address, 12, 4));
        }
        return !v4 && (toLong(address, 0, 8) & highMask) == high && (toLong(address, 8, 8) & lowMask) == low;
    }

    public boolean isIpv4() {
        return v4;
    }

    public int prefixLength() {
        return prefix;
    }

    private boolean matchesV4(long address) {
        return (address & lowMask) == low;
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < MAPPED_PREFIX.length; i++) {
            if (b[i] != MAPPED_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    private static long mask(int bits) {
        if (bits <= 0) {
            return 0;
        }
        return bits >= 64 ? -1L : -1L << (64 - bits);
    }

    private static long toLong(byte[] b, int from, int count) {
        long v = 0;
        for (int i = from; i < from + count; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.v4 == v4 && c.prefix == prefix && c.high == high && c.low == low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high * 31 + low) * 31 + prefix;
    }

    /** RFC 5952: the longest run of two or more zero groups becomes "::". */
    private static void appendV6(StringBuilder sb, int[] groups) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
    }

    /** Canonical form: {@code 10.0.0.0/8}, {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (v4) {
            for (int i = 3; i >= 0; i--) {
                sb.append((low >> (i * 8)) & 0xff).append(i > 0 ? "." : "");
            }
        } else {
            int[] groups = new int[8];
            for (int i = 0; i < 8; i++) {
                groups[i] = (int) (((i < 4 ? high : low) >> ((3 - i % 4) * 16)) & 0xffff);
            }
            appendV6(sb, groups);
        }
        return sb.append('/').append(prefix).toString();
    }
}
