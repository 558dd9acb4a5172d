package io.portier.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Locale;

/** Readers of plain values: integers in a range, on/off, strings, enums by their kebab-case name. */
final class Scalars {
    private Scalars() {}

    /** An integer within [min, max]; a string of digits (as from ${?ENV}) counts. */
    static long integer(ConfigValue v, long min, long max) {
        String expected = "an integer " + range(min, max);
        Long n = wholeNumber(v);
        if (n == null || n < min || n > max) {
            throw new Rejected(expected);
        }
        return n;
    }

    static String range(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return min == 1 ? "> 0" : ">= " + min;
        }
        return min + "-" + max;
    }

    /** The integer a value holds, or null when it holds none (a fraction, a word, a list). */
    static Long wholeNumber(ConfigValue v) {
        if (v == null) {
            return null;
        }
        if (v.valueType() == ConfigValueType.NUMBER) {
            Number n = (Number) v.unwrapped();
            if (n instanceof Integer || n instanceof Long) {
                return n.longValue();
            }
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 9.0e18 ? (long) d : null;
        }
        if (v.valueType() == ConfigValueType.STRING) {
            try {
                return Long.parseLong(((String) v.unwrapped()).trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** HOCON booleans: true/false, yes/no, on/off. */
    static boolean bool(ConfigValue v) {
        if (v != null && v.valueType() == ConfigValueType.BOOLEAN) {
            return (Boolean) v.unwrapped();
        }
        if (v != null && v.valueType() == ConfigValueType.STRING) {
            switch (((String) v.unwrapped()).trim().toLowerCase(Locale.ROOT)) {
                case "on", "yes", "true": return true;
                case "off", "no", "false": return false;
                default: break;
            }
        }
        throw new Rejected("on or off");
    }

    /** A string; a bare number or boolean counts as its text (HOCON types {@code name = 1} as a number). */
    static String string(ConfigValue v) {
        if (v != null && (v.valueType() == ConfigValueType.STRING
                || v.valueType() == ConfigValueType.NUMBER || v.valueType() == ConfigValueType.BOOLEAN)) {
            return String.valueOf(v.unwrapped());
        }
        throw new Rejected("a string");
    }

    static <E extends Enum<E>> E choice(ConfigValue v, Class<E> type) {
        if (v != null && v.valueType() == ConfigValueType.STRING) {
            String text = (String) v.unwrapped();
            for (E e : type.getEnumConstants()) {
                if (kebab(e).equals(text)) {
                    return e;
                }
            }
        }
        StringBuilder allowed = new StringBuilder("one of ");
        for (E e : type.getEnumConstants()) {
            allowed.append(e.ordinal() == 0 ? "" : ", ").append(kebab(e));
        }
        throw new Rejected(allowed.toString());
    }

    /** The name of an enum constant as written in the config file: ROUND_ROBIN is round-robin. */
    static String kebab(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
