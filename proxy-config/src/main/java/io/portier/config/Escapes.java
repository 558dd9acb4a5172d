package io.portier.config;

/**
 * Decodes the escapes of {@code health.send}: {@code \r \n \t \\ \xHH}. {@code \xHH} becomes the char
 * U+00HH, so the string maps one char to one byte in ISO-8859-1. {@link #encode} is the inverse.
 */
final class Escapes {
    static final String EXPECTED = "a string whose only escapes are \\r \\n \\t \\\\ \\xHH";

    private Escapes() {}

    static String decode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= text.length()) {
                throw new Rejected(EXPECTED);
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case 'x' -> {
                    if (i + 2 >= text.length()) {
                        throw new Rejected(EXPECTED);
                    }
                    int hi = Character.digit(text.charAt(i + 1), 16);
                    int lo = Character.digit(text.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        throw new Rejected(EXPECTED);
                    }
                    out.append((char) (hi << 4 | lo));
                    i += 2;
                }
                default -> throw new Rejected(EXPECTED);
            }
        }
        return out.toString();
    }

    /**
     * The text that {@link #decode} turns back into {@code decoded}: a backslash, CR, LF and tab as their
     * escapes, other chars below U+0020 and U+007F-U+00FF as {@code \xHH}, everything else as is.
     */
    static String encode(String decoded) {
        StringBuilder out = new StringBuilder(decoded.length() + 8);
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0xff)) {
                        out.append("\\x").append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
