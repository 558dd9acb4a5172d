package io.portier.config;

/**
 * Strict parsing of IP address literals without any name lookup: dotted-quad IPv4 (exactly four parts,
 * each 0-255) and RFC 4291 IPv6 text (with {@code ::} and an optional trailing dotted quad; no zone id).
 */
final class IpLiteral {
    private IpLiteral() {}

    /** 4 or 16 bytes, or null when {@code text} is not an IP literal. */
    static byte[] parse(String text) {
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        return parseV4(text);
    }

    static byte[] parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int n = Integer.parseInt(p);
            if (n > 255) {
                return null;
            }
            out[i] = (byte) n;
        }
        return out;
    }

    static byte[] parseV6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? text.substring(0, gap) : text;
        String tail = gap >= 0 ? text.substring(gap + 2) : "";
        int[] headGroups = groups(head);
        int[] tailGroups = groups(tail);
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            put(out, i, headGroups[i]);
        }
        for (int i = 0; i < tailGroups.length; i++) {
            put(out, 8 - tailGroups.length + i, tailGroups[i]);
        }
        return out;
    }

    /** 16-bit groups of one side of "::"; a trailing dotted quad counts as two groups. */
    private static int[] groups(String side) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        boolean quad = parts[parts.length - 1].indexOf('.') >= 0;
        int[] out = new int[parts.length + (quad ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (quad && i == parts.length - 1) {
                byte[] v4 = parseV4(p);
                if (v4 == null) {
                    return null;
                }
                out[i] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                out[i + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
            } else {
                if (p.isEmpty() || p.length() > 4) {
                    return null;
                }
                try {
                    out[i] = Integer.parseInt(p, 16);
                } catch (NumberFormatException e) {
                    return null;
                }
                if (p.startsWith("+") || p.startsWith("-")) {
                    return null;
                }
            }
        }
        return out;
    }

    private static void put(byte[] out, int group, int value) {
        out[group * 2] = (byte) (value >> 8);
        out[group * 2 + 1] = (byte) value;
    }
}
