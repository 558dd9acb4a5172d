package io.portier.core.health;

/** A short printable, quoted excerpt of a reply for a check's detail: {@code "-ERR nope\r\n"}. */
final class Excerpt {
    static final int MAX_CHARS = 64;

    private Excerpt() {
    }

    /** @param reply one char per byte; control and non-ASCII bytes are escaped ({@code \r}, {@code \x00}) */
    static String of(CharSequence reply) {
        StringBuilder out = new StringBuilder(MAX_CHARS + 8).append('"');
        int n = Math.min(reply.length(), MAX_CHARS);
        for (int i = 0; i < n; i++) {
            char c = reply.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\x%02x", (int) c & 0xff));
                    }
                }
            }
        }
        out.append('"');
        if (reply.length() > n) {
            out.append("...");
        }
        return out.toString();
    }
}
