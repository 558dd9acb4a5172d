package io.portier.config;

import java.util.List;
import java.util.Map;

/**
 * A compact JSON writer for the plain trees of {@link ConfigRenderer}: maps (keys as strings, in their
 * iteration order), lists, strings, integral numbers, booleans and null. Nothing else is accepted, so
 * a float or an object of another type fails loudly instead of being written in some lossy form.
 */
final class Json {
    private Json() {}

    /** @throws IllegalArgumentException for a value that is none of the types above */
    static String write(Object value) {
        StringBuilder out = new StringBuilder(1024);
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                string(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(out, list.get(i));
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("value: " + value.getClass().getName()
                    + " (expected: a map, list, string, integer, long, boolean or null)");
        }
    }

    /**
     * RFC 8259 string: quote, backslash and control chars escaped; U+2028 and U+2029 too, so the text is
     * also safe inside a script. Everything else, surrogate pairs included, is written as is.
     */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
