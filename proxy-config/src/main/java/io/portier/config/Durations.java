package io.portier.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Durations as HOCON writes them ({@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}), with the unit required:
 * HOCON would read a bare {@code 5} as 5 milliseconds, which is rarely what was meant.
 */
final class Durations {
    private static final Pattern WITH_UNIT = Pattern.compile("\\s*\\d+(\\.\\d+)?\\s*[A-Za-z]+\\s*");

    private Durations() {}

    static Duration read(ConfigValue v, boolean zeroAllowed) {
        String expected = "a duration " + (zeroAllowed ? ">= 0" : "> 0") + ", like 500ms or 2s";
        if (v == null || v.valueType() != ConfigValueType.STRING
                || !WITH_UNIT.matcher((String) v.unwrapped()).matches()) {
            throw new Rejected(expected);
        }
        Duration d;
        try {
            d = ConfigFactory.empty().withValue("d", v).getDuration("d");
        } catch (ConfigException e) {
            throw new Rejected(expected);
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new Rejected(expected);
        }
        return d;
    }

    /** The shortest exact form: 1h, 30s, 1500ms. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
