package io.portier.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Finds binds that would take the same address and port: with SO_REUSEPORT the kernel would otherwise
 * let both bind and split the connections between them. Rules: port 0 never conflicts; equal hosts
 * conflict; 0.0.0.0 overlaps every IPv4 address and every host name; [::] overlaps everything (a dual-stack
 * socket also takes IPv4). Host names are compared by name only.
 */
final class Overlaps {
    private record Site(String owner, BindAddress bind, Consumer<String> report) {}

    private final List<Site> sites = new ArrayList<>();

    /**
     * @param owner  how the other side is named in the message, e.g. "listener web"
     * @param report takes the message for a problem on this bind
     */
    void add(String owner, BindAddress bind, Consumer<String> report) {
        sites.add(new Site(owner, bind, report));
    }

    /** Reports each overlapping pair once, on the later of the two. */
    void check() {
        for (int i = 0; i < sites.size(); i++) {
            Site later = sites.get(i);
            for (int j = 0; j < i; j++) {
                Site earlier = sites.get(j);
                if (overlap(earlier.bind(), later.bind())) {
                    later.report().accept(Show.quoted(later.bind().toString())
                            + " (expected: an address and port no other bind takes; " + earlier.owner()
                            + " binds " + earlier.bind() + ")");
                    break;
                }
            }
        }
    }

    static boolean overlap(BindAddress a, BindAddress b) {
        if (a.lastPort() == 0 || b.lastPort() == 0) {
            return false;
        }
        if (a.firstPort() > b.lastPort() || b.firstPort() > a.lastPort()) {
            return false;
        }
        return hostsOverlap(a.host(), b.host());
    }

    private static boolean hostsOverlap(String a, String b) {
        byte[] ia = IpLiteral.parse(a);
        byte[] ib = IpLiteral.parse(b);
        if (isAny(ia) && ia.length == 16 || isAny(ib) && ib.length == 16) {
            return true;
        }
        if (isAny(ia) && ia.length == 4) {
            return ib == null || ib.length == 4;
        }
        if (isAny(ib) && ib.length == 4) {
            return ia == null || ia.length == 4;
        }
        if (ia != null && ib != null) {
            return java.util.Arrays.equals(ia, ib);
        }
        return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    private static boolean isAny(byte[] ip) {
        if (ip == null) {
            return false;
        }
        for (byte x : ip) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
