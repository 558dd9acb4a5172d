package io.portier.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem of one load. Each problem is located in the user's own (unmerged) tree so that
 * FILE:LINE point at what the user wrote: the value itself, or its nearest parent that has a line.
 */
final class Problems {
    private final String defaultFile;
    private final ConfigObject userRoot;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final boolean muted;

    /**
     * @param defaultFile the file named in messages when an origin has no file (a parsed string)
     * @param userRoot    the user's tree before merging over reference.conf; null when it did not parse
     */
    Problems(String defaultFile, ConfigObject userRoot) {
        this(defaultFile, userRoot, false);
    }

    private Problems(String defaultFile, ConfigObject userRoot, boolean muted) {
        this.defaultFile = defaultFile;
        this.userRoot = userRoot;
        this.muted = muted;
    }

    /**
     * A collector that drops everything: for reading on under a value already reported as wrong (an object
     * that is not one), so that its consequences are not reported again.
     */
    Problems muted() {
        return new Problems(defaultFile, userRoot, true);
    }

    /** @param at keys (String) and list indexes (Integer) from the root down to the offending value */
    void add(List<Object> at, String path, String message) {
        add(null, at, path, message);
    }

    /**
     * Located at the value's own origin when it has a line in a user file (reference.conf lines and
     * environment variables do not count), else at {@code at} in the user's tree.
     */
    void add(ConfigValue value, List<Object> at, String path, String message) {
        if (muted) {
            return;
        }
        ConfigOrigin own = value == null ? null : value.origin();
        boolean usable = own != null && own.lineNumber() > 0 && own.resource() == null;
        ConfigOrigin origin = usable ? own : locate(at);
        problems.add(new ConfigProblem(fileOf(origin), origin == null ? -1 : origin.lineNumber(), path, message));
    }

    /** A HOCON syntax or substitution error, as a problem instead of a stack trace. */
    void add(ConfigException e) {
        ConfigOrigin origin = e.origin();
        String message = e.getMessage();
        if (origin != null && message.startsWith(origin.description() + ": ")) {
            message = message.substring(origin.description().length() + 2);
        }
        int line = origin == null ? -1 : origin.lineNumber();
        problems.add(new ConfigProblem(fileOf(origin), line, "hocon", message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** In file order: the main file first, then by line; problems without a line last. */
    List<ConfigProblem> sorted() {
        List<ConfigProblem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparing((ConfigProblem p) -> !p.file().equals(defaultFile))
                .thenComparing(ConfigProblem::file)
                .thenComparingInt(p -> p.line() > 0 ? p.line() : Integer.MAX_VALUE));
        return out;
    }

    /** Whether the user's own tree has a value at exactly this location. */
    boolean userHas(List<Object> at) {
        ConfigValue current = userRoot;
        for (Object step : at) {
            if (current instanceof ConfigObject o && step instanceof String key) {
                current = o.get(key);
            } else if (current instanceof ConfigList l && step instanceof Integer i && i < l.size()) {
                current = l.get(i);
            } else {
                return false;
            }
        }
        return current != null;
    }

    /** The origin of the deepest value on the path that has a line number. */
    ConfigOrigin locate(List<Object> at) {
        ConfigValue current = userRoot;
        ConfigOrigin best = null;
        for (Object step : at) {
            ConfigValue next = null;
            if (current instanceof ConfigObject o && step instanceof String key) {
                next = o.get(key);
            } else if (current instanceof ConfigList l && step instanceof Integer i && i < l.size()) {
                next = l.get(i);
            }
            if (next == null) {
                break;
            }
            if (next.origin() != null && next.origin().lineNumber() > 0) {
                best = next.origin();
            }
            current = next;
        }
        return best;
    }

    private String fileOf(ConfigOrigin origin) {
        return origin != null && origin.filename() != null ? origin.filename() : defaultFile;
    }
}
