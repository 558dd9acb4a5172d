package io.portier.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

/** Counts and sizes that may be "unlimited", read as {@link LimitsConfig#UNLIMITED}. */
final class Limits {
    static final String WORD = "unlimited";

    private Limits() {}

    /** An integer > 0 or "unlimited". */
    static long count(ConfigValue v) {
        if (isUnlimited(v)) {
            return LimitsConfig.UNLIMITED;
        }
        Long n = Scalars.wholeNumber(v);
        if (n == null || n <= 0) {
            throw new Rejected("> 0 or \"unlimited\"");
        }
        return n;
    }

    /** A size in bytes > 0 ({@code 65536}, {@code 64KiB}, {@code 10MiB}) or "unlimited". */
    static long size(ConfigValue v) {
        if (isUnlimited(v)) {
            return LimitsConfig.UNLIMITED;
        }
        String expected = "a size > 0 like 64KiB or 10MiB, or \"unlimited\"";
        if (v == null || (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER)) {
            throw new Rejected(expected);
        }
        long bytes;
        try {
            bytes = ConfigFactory.empty().withValue("s", v).getBytes("s");
        } catch (ConfigException e) {
            throw new Rejected(expected);
        }
        if (bytes <= 0) {
            throw new Rejected(expected);
        }
        return bytes;
    }

    static String format(long n) {
        return n == LimitsConfig.UNLIMITED ? WORD : Long.toString(n);
    }

    private static boolean isUnlimited(ConfigValue v) {
        return v != null && v.valueType() == ConfigValueType.STRING && WORD.equals(v.unwrapped());
    }
}
